// The platform's REST API as the benches use it: sign in as the first administrator, and JSON
// requests that fail loudly (the bench cannot go on without what it asked for).

export const ADMIN_EMAIL = 'admin@demo.local';

/** POST /api/v1/auth/login; the bearer token. */
export async function login(httpPort: number, password: string, email = ADMIN_EMAIL): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { token?: unknown };
  if (res.status !== 200 || typeof body.token !== 'string') {
    throw new Error(`login failed: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
  return body.token;
}

/** One JSON request with the token; throws unless the status is 2xx. */
export async function apiJson<T = unknown>(
  httpPort: number,
  token: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status < 200 || res.status > 299)
    throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 400)}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}
