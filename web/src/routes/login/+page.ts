// The login page: a session restored from the refresh cookie goes straight on to `next`.
import { redirect } from '@sveltejs/kit';
import { homeFor, safeNext } from '#lib/session/next-url.ts';
import { session } from '#lib/session/session.svelte.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ url }) => {
  // '': none asked for (or none safe), so the role's home once it is known.
  const next = safeNext(url.searchParams.get('next'), '');
  // Unreachable platform: show the form anyway; signing in will say what is wrong.
  await session.restore().catch(() => undefined);
  if (session.status === 'signed-in') redirect(307, next || homeFor(session.user?.role));
  return { next };
};
