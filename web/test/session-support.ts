// The console's API client and token store as a browser tab would run them, in Node against the
// real API: a fetch that keeps cookies like a browser (the refresh cookie is HttpOnly, scoped to
// /api/v1/auth) and records which calls were made.
import { ApiClient } from '../src/lib/api/client.ts';
import { AccessTokens } from '../src/lib/api/tokens.ts';

export interface BrowserLikeFetch {
  fetch: typeof fetch;
  /** Method and path of every request, in order. */
  calls: string[];
  cookies: Map<string, { value: string; path: string }>;
}

export function browserLikeFetch(): BrowserLikeFetch {
  const cookies = new Map<string, { value: string; path: string }>();
  const calls: string[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    calls.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    const headers = new Headers(init?.headers);
    const jar = [...cookies]
      .filter(([, c]) => url.pathname === c.path || url.pathname.startsWith(`${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`);
    if (jar.length > 0) headers.set('cookie', jar.join('; '));
    const res = await fetch(url, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const maxAge = attributes.find((a) => /^max-age=/i.test(a))?.slice(8);
      if (maxAge === '0') cookies.delete(name);
      else cookies.set(name, { value: pair.slice(eq + 1), path });
    }
    return res;
  };
  return { fetch: wrapped, calls, cookies };
}

export interface ConsoleTab {
  api: ApiClient;
  tokens: AccessTokens;
  browser: BrowserLikeFetch;
  /** How many times the store reported the session over. */
  ended: number;
  refreshes(): number;
}

/** A tab of the console: the client, its token store and its cookies, not signed in yet. */
export function consoleTab(origin: string): ConsoleTab {
  const browser = browserLikeFetch();
  const tab = { browser, ended: 0 } as ConsoleTab;
  tab.tokens = new AccessTokens(
    () => tab.api.call('POST /api/v1/auth/refresh'),
    () => {
      tab.ended++;
    },
  );
  tab.api = new ApiClient({ origin, fetch: browser.fetch, tokens: tab.tokens });
  tab.refreshes = () => browser.calls.filter((c) => c === 'POST /api/v1/auth/refresh').length;
  return tab;
}

export async function signIn(tab: ConsoleTab, email: string, password: string): Promise<void> {
  const result = await tab.api.call('POST /api/v1/auth/login', { body: { email, password } });
  if ('mfaRequired' in result)
    throw new Error(`${email} has MFA on: these tabs sign in with a password only`);
  tab.tokens.set({ token: result.token, expiresAt: result.expiresAt });
}
