// Every page of the console needs a session: restore it from the refresh cookie on a page
// load, or send the user to the login page, which brings them back here afterwards.
import { error, redirect } from '@sveltejs/kit';
import { describeError } from '#lib/api/errors.ts';
import { loginHref } from '#lib/session/next-url.ts';
import { session } from '#lib/session/session.svelte.ts';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ url }) => {
  try {
    await session.restore();
  } catch (err) {
    error(503, `Cannot reach the platform: ${describeError(err)}`);
  }
  // A load function may not read url.hash (SvelteKit keeps it client-side): path and query only.
  if (session.status !== 'signed-in')
    redirect(307, loginHref({ pathname: url.pathname, search: url.search, hash: '' }));
};
