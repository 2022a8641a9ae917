// A single-page app: nothing renders on a server and nothing is prerendered (every page needs
// the signed-in user's data); the API serves the fallback page for every console path.
export const ssr = false;
export const prerender = false;
