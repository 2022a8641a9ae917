// The console's API client and token store (web/src/lib/api) against the real API: typed calls,
// the error catalogue as ApiRequestError, one refresh-and-retry on 401 shared by concurrent
// calls (a second refresh with the same cookie would end the session), and a session that ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../test/api-support.ts';
import { ApiClient } from '../src/lib/api/client.ts';
import { ApiRequestError } from '../src/lib/api/errors.ts';
import { consoleTab, signIn } from './session-support.ts';

let t: TestApi;
beforeAll(async () => {
  // Access tokens of 2 s (JWTs count whole seconds: a fresh one is valid for 1 s at least), so
  // expiry is reached in every test that waits a little.
  t = await startTestApi({ AUTH_ACCESS_TOKEN_TTL_S: 2, AUTH_LOGIN_MAX_FAILURES: 2 });
});
afterAll(async () => {
  await t?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function failure(promise: Promise<unknown>): Promise<ApiRequestError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiRequestError);
  return err as ApiRequestError;
}

describe('calls', () => {
  it('signs in and reads the user, the organisation and the fleet', async () => {
    const device = await t.orgA.provision();
    const tab = consoleTab(t.url);
    await signIn(tab, t.orgA.users.dispatcher.email, TEST_PASSWORD);
    const me = await tab.api.call('GET /api/v1/me');
    expect(me.user.email).toBe(t.orgA.users.dispatcher.email);
    expect(me.user.role).toBe('dispatcher');
    expect(me.organisation.id).toBe(t.orgA.id);
    const fleet = await tab.api.call('GET /api/v1/fleet/latest');
    expect(fleet.devices.map((d) => d.deviceId)).toContain(device.id);
    expect(tab.browser.cookies.get('fleet_refresh')?.path).toBe('/api/v1/auth');
  });

  it('turns the error catalogue into ApiRequestError', async () => {
    const tab = consoleTab(t.url);
    const wrong = await failure(signIn(tab, t.orgA.users.viewer.email, 'not the password'));
    expect([wrong.status, wrong.code, wrong.message]).toEqual([
      401,
      'invalid_credentials',
      'Wrong email or password.',
    ]);
    const invalid = await failure(
      tab.api.call('POST /api/v1/auth/login', { body: { email: 'x', password: '' } }),
    );
    expect([invalid.status, invalid.code]).toEqual([400, 'validation_failed']);
    expect(invalid.details.map((d) => d.path)).toContain('body.email');
    const anonymous = await failure(tab.api.call('GET /api/v1/me'));
    expect([anonymous.status, anonymous.code]).toEqual([401, 'unauthorized']);
  });

  it('reports Retry-After when logins are refused', async () => {
    const tab = consoleTab(t.url);
    const email = t.orgA.users.mechanic.email;
    for (let i = 0; i < 2; i++) await failure(signIn(tab, email, 'wrong password'));
    const limited = await failure(signIn(tab, email, TEST_PASSWORD));
    expect([limited.status, limited.code]).toEqual([429, 'too_many_requests']);
    expect(limited.retryAfterS).toBeGreaterThan(0);
    expect(limited.retryAfterS).toBeLessThanOrEqual(900);
  });

  it('says the platform cannot be reached when nothing answers', async () => {
    const api = new ApiClient({ origin: 'http://127.0.0.1:9' });
    const err = await failure(api.call('GET /api/v1/fleet/latest'));
    expect([err.status, err.code]).toEqual([0, 'network_error']);
  });
});

describe('an expired access token', () => {
  it('is refreshed once and the call retried', async () => {
    const tab = consoleTab(t.url);
    await signIn(tab, t.orgA.users.viewer.email, TEST_PASSWORD);
    const first = tab.tokens.current();
    await sleep(3100);
    const me = await tab.api.call('GET /api/v1/me');
    expect(me.user.email).toBe(t.orgA.users.viewer.email);
    expect(tab.refreshes()).toBe(1);
    expect(tab.tokens.current()).not.toBe(first);
    expect(tab.browser.calls.filter((c) => c === 'GET /api/v1/me')).toHaveLength(2);
  });

  it('is refreshed once for many calls at the same time, and the session survives', async () => {
    const tab = consoleTab(t.url);
    await signIn(tab, t.orgA.users.fleet_manager.email, TEST_PASSWORD);
    await sleep(3100);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => tab.api.call('GET /api/v1/fleet/latest')),
    );
    expect(results).toHaveLength(6);
    expect(tab.refreshes()).toBe(1);
    // A replayed refresh token would have ended the session; it did not.
    await sleep(3100);
    await tab.api.call('GET /api/v1/me');
    expect(tab.refreshes()).toBe(2);
    expect(tab.ended).toBe(0);
  });

  it('ends the session when the refresh is refused', async () => {
    const tab = consoleTab(t.url);
    await signIn(tab, t.orgA.users.admin.email, TEST_PASSWORD);
    const other = consoleTab(t.url);
    // Logout from this tab revokes the session: its cookie and its tokens stop working.
    await tab.api.call('POST /api/v1/auth/logout');
    expect(tab.browser.cookies.has('fleet_refresh')).toBe(false);
    const err = await failure(tab.api.call('GET /api/v1/me'));
    expect(err.status).toBe(401);
    expect(tab.ended).toBe(1);
    expect(tab.tokens.current()).toBeUndefined();
    expect(await other.tokens.renew(undefined)).toBeUndefined();
  });
});

describe('the token store', () => {
  it('hands out the current token while it is valid long enough, else a new one', async () => {
    const tab = consoleTab(t.url);
    await signIn(tab, t.orgA.users.dispatcher.email, TEST_PASSWORD);
    const issued = tab.tokens.issued();
    expect(issued).toBeDefined();
    expect(await tab.tokens.get({ expiringAfter: Date.now() - 60_000 })).toBe(issued);
    expect(tab.refreshes()).toBe(0);
    await sleep(1100); // JWTs count whole seconds: a token issued in the same second is the same
    const longer = await tab.tokens.get({ expiringAfter: (issued?.expiresAt ?? 0) + 1 });
    expect(longer?.expiresAt).toBeGreaterThan(issued?.expiresAt ?? Infinity);
    expect(longer?.token).not.toBe(issued?.token);
    expect(tab.refreshes()).toBe(1);
    // A token someone refused that was already replaced: the newer one, no refresh.
    expect((await tab.tokens.get({ rejected: issued?.token ?? '' }))?.token).toBe(longer?.token);
    expect(tab.refreshes()).toBe(1);
  });
});
