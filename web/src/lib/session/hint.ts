// The API sets a readable cookie `fleet_session=1` beside the HttpOnly refresh cookie (and clears
// both on logout or a refused refresh), so a page load only asks to restore a session that may
// exist: no refresh request, and no 401, for someone who never signed in here.

import type { SessionHintCookie } from '@fleet/api/contract';

/** The API's name for it; the type makes this copy fail the type check if the API's changes. */
export const SESSION_HINT_COOKIE: SessionHintCookie = 'fleet_session';

/** Whether `document.cookie` says a session may exist. */
export function hasSessionHint(cookies: string): boolean {
  return cookies.split(';').some((part) => part.trim() === `${SESSION_HINT_COOKIE}=1`);
}
