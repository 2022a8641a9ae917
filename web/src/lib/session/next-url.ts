// Where to go after signing in. `next` comes from the address bar, so anyone can craft a link
// with it: only paths of this origin are followed; anything else (other hosts, protocol-relative
// `//host`, `javascript:`, backslash and control-character tricks that URL parsers turn into
// `//host`) falls back to the home page.

import type { Role } from '@fleet/api/contract';

const BASE = 'http://console.invalid';
const MAX_LENGTH = 2048;

/** A same-origin path (with its query and hash) to go to, or `fallback`. */
export function safeNext(next: string | null | undefined, fallback = '/'): string {
  if (next === null || next === undefined || next === '' || next.length > MAX_LENGTH) return fallback;
  // Must be a path: one leading slash, and none of the characters parsers treat as a slash
  // (backslash) or silently drop (tab, newline and other controls).
  if (!next.startsWith('/') || next.startsWith('//')) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Back to the login page would be a loop.
  if (url.pathname === '/login' || url.pathname.startsWith('/login/')) return fallback;
  return path;
}

/** The login page, remembering where the user was (nothing to remember for the home page). */
export function loginHref(where: { pathname: string; search: string; hash: string }): string {
  const here = `${where.pathname}${where.search}${where.hash}`;
  const next = safeNext(here, '');
  return next === '' || next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}

/**
 * Where a role starts when no `next` says otherwise: the managers' KPI dashboard for those who
 * run the fleet, the live map for everyone who works it (dispatchers, mechanics, viewers).
 */
export function homeFor(role: Role | undefined): string {
  return role === 'admin' || role === 'fleet_manager' ? '/dashboard' : '/';
}
