// Multi-factor sign-in against the real API and database, with codes computed by otpauth from
// the secret the API hands out (as an authenticator app would): enrolment, sign-in in two steps,
// login limits on the second factor, replay, recovery codes, what the database and the audit log
// hold, the organisation's policy for administrators, the administrators' reset, and garbage.
import { createHash, randomUUID } from 'node:crypto';
import { UserDirectory } from '@fleet/api';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { type TOTP, URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, startTestApi, TEST_PASSWORD, type TestApi } from '../../../../test/api-support.ts';
import { fuzzParameters } from '../../../../test/fuzz.ts';

let t: TestApi;
beforeAll(async () => {
  // Proxies trusted so that each test signs in from an address of its own (X-Forwarded-For): the
  // per-address limit then counts one test's failures only.
  t = await startTestApi({
    AUTH_LOGIN_MAX_FAILURES: 3,
    AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS: 7,
    HTTP_TRUSTED_PROXIES: '127.0.0.1,::1',
  });
});
afterAll(() => t?.close());

type ErrorBody = { error: { code: string; message: string; details?: { path: string }[] } };
interface SignedIn {
  token: string;
  expiresAt: number;
  user: { id: string; email: string };
  mfaEnrolmentRequired: boolean;
}
interface Challenge {
  mfaRequired: true;
  mfaToken: string;
  expiresAt: number;
}
interface Enrolment {
  uri: string;
  secret: string;
  qrCode: string;
}
interface MfaStatus {
  enabled: boolean;
  pending: boolean;
  recoveryCodesLeft: number;
  requiredForAdmins: boolean;
}

let addresses = 0;
/** A client address of its own (RFC 5737 documentation range). */
const newAddress = () => `198.51.100.${++addresses}`;

/** The user's authenticator app: a fresh code each time, for a step the server has not seen. */
class Phone {
  readonly totp: TOTP;
  #last = Number.NEGATIVE_INFINITY;

  constructor(uri: string) {
    this.totp = URI.parse(uri) as TOTP;
  }

  /** The current step's code, or the next one's (accepted one step early); waits when both are spent. */
  async code(): Promise<string> {
    for (;;) {
      const now = Date.now();
      const current = this.totp.counter({ timestamp: now });
      const step = Math.max(current, this.#last + 1);
      if (step <= current + 1) {
        this.#last = step;
        return this.totp.generate({ timestamp: step * 30_000 });
      }
      await new Promise((r) => setTimeout(r, this.totp.remaining({ timestamp: now }) + 100));
    }
  }

  /** A code that is valid now but that this phone will not hand out (it is spent). */
  spent(): string {
    return this.totp.generate({ timestamp: this.#last * 30_000 });
  }

  /** A well-formed code that is wrong for every step in the window. */
  wrong(): string {
    const now = Date.now();
    const valid = new Set([-1, 0, 1].map((d) => this.totp.generate({ timestamp: now + d * 30_000 })));
    for (let n = 0; ; n++) {
      const code = String((123_456 + n * 7919) % 1_000_000).padStart(6, '0');
      if (!valid.has(code)) return code;
    }
  }
}

async function newUser(orgId: string, role: 'admin' | 'dispatcher' | 'viewer' = 'dispatcher') {
  const email = `mfa.${role}.${randomUUID().slice(0, 8)}@example.test`;
  const user = await new UserDirectory(t.platform.db).create(orgId, {
    email,
    name: `MFA ${role}`,
    role,
    password: TEST_PASSWORD,
  });
  return { id: user.id, email };
}

function loginWithPassword(email: string, address: string, password = TEST_PASSWORD, cookie?: string) {
  return t.request<SignedIn & Challenge & ErrorBody>('POST', '/api/v1/auth/login', {
    body: { email, password },
    headers: { 'x-forwarded-for': address, ...(cookie ? { cookie } : {}) },
  });
}

function completeLogin(body: Record<string, unknown>, address: string, cookie?: string) {
  return t.request<SignedIn & ErrorBody>('POST', '/api/v1/auth/login/mfa', {
    body,
    headers: { 'x-forwarded-for': address, ...(cookie ? { cookie } : {}) },
  });
}

async function passwordStep(email: string, address: string): Promise<string> {
  const res = await loginWithPassword(email, address);
  expect(res.status, res.text).toBe(200);
  expect(res.body.mfaRequired).toBe(true);
  return res.body.mfaToken;
}

/** The body that starts enrolment: the user's password, asked again. */
const again = { password: TEST_PASSWORD };

/** Signs in a new user and turns MFA on: their token, phone and recovery codes. */
async function enrolled(orgId = t.orgA.id, role: 'admin' | 'dispatcher' | 'viewer' = 'dispatcher') {
  const user = await newUser(orgId, role);
  const token = await t.login(user.email);
  const enrolment = await t.request<Enrolment>('POST', '/api/v1/me/mfa/totp', { token, body: again });
  expect(enrolment.status, enrolment.text).toBe(200);
  const phone = new Phone(enrolment.body.uri);
  const confirmed = await t.request<{ recoveryCodes: string[] }>('POST', '/api/v1/me/mfa/totp/confirm', {
    token,
    body: { code: await phone.code() },
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  return { ...user, token, phone, enrolment: enrolment.body, recoveryCodes: confirmed.body.recoveryCodes };
}

const cookieOf = (headers: Headers, name: string) =>
  headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith(`${name}=`));

describe('enrolment', () => {
  it('hands out a secret as URI, base32 and QR code; a code from the app turns MFA on with 10 recovery codes', async () => {
    const user = await newUser(t.orgA.id);
    const token = await t.login(user.email);
    const off = await t.request<MfaStatus>('GET', '/api/v1/me/mfa', { token });
    expect(off.body).toEqual({
      enabled: false,
      pending: false,
      recoveryCodesLeft: 0,
      requiredForAdmins: false,
    });
    // The password again first: a stolen session alone cannot bind an app of its own.
    const without = await t.request<ErrorBody>('POST', '/api/v1/me/mfa/totp', { token, body: {} });
    expect(without.status).toBe(400);
    expect(without.body.error.details?.[0]?.path).toBe('body.password');
    const wrongPassword = await t.request<ErrorBody>('POST', '/api/v1/me/mfa/totp', {
      token,
      body: { password: 'not the password' },
    });
    expect(wrongPassword.status).toBe(400);
    expect(wrongPassword.body.error.details).toEqual([{ path: 'body.password', message: 'wrong password' }]);
    expect((await t.request<MfaStatus>('GET', '/api/v1/me/mfa', { token })).body.pending).toBe(false);
    const started = await t.request<Enrolment>('POST', '/api/v1/me/mfa/totp', { token, body: again });
    expect(started.status).toBe(200);
    const totp = URI.parse(started.body.uri) as TOTP;
    expect(totp).toMatchObject({
      issuer: 'Fleet',
      label: user.email,
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    expect(totp.secret.base32).toBe(started.body.secret);
    expect(started.body.uri).toMatch(/^otpauth:\/\/totp\/Fleet:/);
    expect(started.body.qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(started.body.qrCode.split(',')[1] ?? '', 'base64').toString()).toMatch(/^<svg /);
    // Pending: sign-in is unchanged until the first code confirms the secret.
    expect((await t.request<MfaStatus>('GET', '/api/v1/me/mfa', { token })).body).toMatchObject({
      enabled: false,
      pending: true,
    });
    expect((await loginWithPassword(user.email, newAddress())).body.token).toEqual(expect.any(String));
    // Starting again replaces the pending secret: a code of the first one no longer confirms.
    const restarted = await t.request<Enrolment>('POST', '/api/v1/me/mfa/totp', { token, body: again });
    expect(restarted.body.secret).not.toBe(started.body.secret);
    const stale = await t.request<ErrorBody>('POST', '/api/v1/me/mfa/totp/confirm', {
      token,
      body: { code: await new Phone(started.body.uri).code() },
    });
    expect(stale.status).toBe(400);
    expect(stale.body.error.details?.[0]?.path).toBe('body.code');
    const phone = new Phone(restarted.body.uri);
    const wrong = await t.request<ErrorBody>('POST', '/api/v1/me/mfa/totp/confirm', {
      token,
      body: { code: phone.wrong() },
    });
    expect(wrong.status).toBe(400);
    const confirmed = await t.request<{ recoveryCodes: string[] }>('POST', '/api/v1/me/mfa/totp/confirm', {
      token,
      body: { code: await phone.code() },
    });
    expect(confirmed.status).toBe(200);
    const codes = confirmed.body.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect((await t.request<MfaStatus>('GET', '/api/v1/me/mfa', { token })).body).toEqual({
      enabled: true,
      pending: false,
      recoveryCodesLeft: 10,
      requiredForAdmins: false,
    });
    const me = await t.request<{ mfaEnabled: boolean; mfaEnrolmentRequired: boolean }>('GET', '/api/v1/me', {
      token,
    });
    expect(me.body).toMatchObject({ mfaEnabled: true, mfaEnrolmentRequired: false });
    // On already: no second secret, no second confirmation.
    expect((await t.request<ErrorBody>('POST', '/api/v1/me/mfa/totp', { token, body: again })).status).toBe(
      409,
    );
    expect(
      (await t.request('POST', '/api/v1/me/mfa/totp/confirm', { token, body: { code: phone.spent() } }))
        .status,
    ).toBe(409);
  });

  it('confirming without a started enrolment is 409, and codes that are not 6 digits are 400', async () => {
    const user = await newUser(t.orgA.id);
    const token = await t.login(user.email);
    const res = await t.request<ErrorBody>('POST', '/api/v1/me/mfa/totp/confirm', {
      token,
      body: { code: '123456' },
    });
    expect(res.status).toBe(409);
    for (const code of ['12345', '1234567', 'abcdef', 123456, '', null]) {
      const bad = await t.request<ErrorBody>('POST', '/api/v1/me/mfa/totp/confirm', {
        token,
        body: { code },
      });
      expect(bad.status, String(code)).toBe(400);
      expect(bad.body.error.details?.[0]?.path).toBe('body.code');
    }
  });
});

describe('sign-in with MFA', () => {
  it('the right password answers a challenge and no tokens; the code completes it like a login', async () => {
    const user = await enrolled();
    const address = newAddress();
    const first = await loginWithPassword(user.email, address);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      mfaRequired: true,
      mfaToken: expect.any(String),
      expiresAt: expect.any(Number),
    });
    expect(first.body.expiresAt - Date.now()).toBeLessThanOrEqual(300_000);
    expect(first.body.expiresAt - Date.now()).toBeGreaterThan(240_000);
    expect(first.headers.getSetCookie()).toEqual([]);
    // The challenge is no access token, anywhere.
    expect((await t.request('GET', '/api/v1/me', { token: first.body.mfaToken })).status).toBe(401);
    const done = await completeLogin(
      { mfaToken: first.body.mfaToken, code: await user.phone.code() },
      address,
    );
    expect(done.status, done.text).toBe(200);
    expect(done.body).toMatchObject({
      user: { id: user.id, email: user.email },
      mfaEnrolmentRequired: false,
    });
    expect(cookieOf(done.headers, 'fleet_refresh')).toMatch(/^fleet_refresh=frt_/);
    expect(cookieOf(done.headers, 'fleet_session')).toBe('fleet_session=1');
    expect((await t.request('GET', '/api/v1/me', { token: done.body.token })).status).toBe(200);
    // The refresh cookie of that session works as any other.
    const refreshed = await t.request<{ token: string }>('POST', '/api/v1/auth/refresh', {
      headers: { cookie: cookieOf(done.headers, 'fleet_refresh') ?? '' },
    });
    expect(refreshed.status).toBe(200);
    // One challenge completes one sign-in.
    const again = await completeLogin({ mfaToken: first.body.mfaToken, code: user.phone.spent() }, address);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('unauthorized');
  });

  it('a code is never accepted twice (replay), even with a new challenge', async () => {
    const user = await enrolled();
    const address = newAddress();
    const code = await user.phone.code();
    expect(
      (await completeLogin({ mfaToken: await passwordStep(user.email, address), code }, address)).status,
    ).toBe(200);
    const replay = await completeLogin({ mfaToken: await passwordStep(user.email, address), code }, address);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('invalid_mfa_code');
    // An earlier step, still inside the window, is refused too: steps only move forward.
    const first = user.phone.totp.generate({ timestamp: Date.now() - 30_000 });
    const older = await completeLogin(
      { mfaToken: await passwordStep(user.email, address), code: first },
      address,
    );
    expect(older.status).toBe(401);
  });

  it('wrong codes are failed logins: 401 each, then 429 with Retry-After even for the right code', async () => {
    const user = await enrolled();
    const address = newAddress();
    const mfaToken = await passwordStep(user.email, address);
    for (let i = 0; i < 3; i++) {
      const res = await completeLogin({ mfaToken, code: user.phone.wrong() }, address);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_mfa_code');
    }
    const blocked = await completeLogin({ mfaToken, code: await user.phone.code() }, address);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('too_many_requests');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The account is locked for unknown browsers at the password step too, from anywhere.
    expect((await loginWithPassword(user.email, newAddress())).status).toBe(429);
    // A recovery code is no way around the limit.
    const recovery = await completeLogin({ mfaToken, recoveryCode: user.recoveryCodes[0] }, newAddress());
    expect(recovery.status).toBe(429);
  });

  it('wrong codes count per address too: spraying accounts with a known password is cut off', async () => {
    const address = newAddress();
    const users = [await enrolled(), await enrolled(), await enrolled()];
    const statuses: number[] = [];
    for (const user of users) {
      const mfaToken = await passwordStep(user.email, address);
      for (let i = 0; i < 2; i++)
        statuses.push((await completeLogin({ mfaToken, code: user.phone.wrong() }, address)).status);
    }
    // 6 failures from the address so far, each account below its own limit of 3.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    const other = await newUser(t.orgA.id);
    expect((await loginWithPassword(other.email, address, 'wrong password')).status).toBe(401);
    // 7 failures: the address is over its limit, whatever account it tries next.
    const blocked = await loginWithPassword(other.email, address);
    expect(blocked.status).toBe(429);
    // Another address is fine.
    expect((await loginWithPassword(other.email, newAddress())).status).toBe(200);
  });

  it('a browser that signed in before keeps its own limit: an attacker with the password does not lock the user out', async () => {
    const user = await enrolled();
    const home = newAddress();
    const first = await completeLogin(
      { mfaToken: await passwordStep(user.email, home), code: await user.phone.code() },
      home,
    );
    const device = cookieOf(first.headers, 'fleet_device');
    expect(device).toMatch(/^fleet_device=/);
    const attacker = newAddress();
    const stolen = await passwordStep(user.email, attacker);
    for (let i = 0; i < 4; i++) await completeLogin({ mfaToken: stolen, code: user.phone.wrong() }, attacker);
    expect((await loginWithPassword(user.email, attacker)).status).toBe(429);
    // The user's own browser (its device cookie) still signs in, second factor and all.
    const mine = await loginWithPassword(user.email, home, TEST_PASSWORD, device);
    expect(mine.status).toBe(200);
    const done = await completeLogin(
      { mfaToken: mine.body.mfaToken, recoveryCode: user.recoveryCodes[0] },
      home,
      device,
    );
    expect(done.status, done.text).toBe(200);
    expect(cookieOf(done.headers, 'fleet_device')).toBeUndefined(); // known already
  });

  it('a user disabled meanwhile cannot complete a sign-in started before', async () => {
    const user = await enrolled();
    const address = newAddress();
    const mfaToken = await passwordStep(user.email, address);
    const disabled = await t.request('PATCH', `/api/v1/users/${user.id}`, {
      token: t.orgA.users.admin.token,
      body: { disabled: true },
    });
    expect(disabled.status).toBe(200);
    const res = await completeLogin({ mfaToken, code: await user.phone.code() }, address);
    expect(res.status).toBe(401);
  });
});

describe('recovery codes', () => {
  it('each signs in once, in any case and without dashes; only their hashes are stored', async () => {
    const user = await enrolled();
    const address = newAddress();
    const stored = await t.platform.db.query<{ code_hash: string; used_at: Date | null }>(
      'select code_hash, used_at from user_recovery_codes where user_id = $1',
      [user.id],
    );
    expect(stored).toHaveLength(10);
    const hashes = stored.map((r) => r.code_hash);
    for (const code of user.recoveryCodes) {
      expect(hashes).toContain(createHash('sha256').update(code.replaceAll('-', '')).digest('hex'));
      expect(JSON.stringify(stored)).not.toContain(code.replaceAll('-', ''));
    }
    const [first = '', second = ''] = user.recoveryCodes;
    const typed = first.replaceAll('-', '').toUpperCase();
    const ok = await completeLogin(
      { mfaToken: await passwordStep(user.email, address), recoveryCode: typed },
      address,
    );
    expect(ok.status, ok.text).toBe(200);
    const reused = await completeLogin(
      { mfaToken: await passwordStep(user.email, address), recoveryCode: first },
      address,
    );
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('invalid_mfa_code');
    const status = await t.request<MfaStatus>('GET', '/api/v1/me/mfa', { token: ok.body.token });
    expect(status.body.recoveryCodesLeft).toBe(9);
    // New codes (with a code from the app): 10 again, and the old unused ones stop working.
    const replaced = await t.request<{ recoveryCodes: string[] }>('POST', '/api/v1/me/mfa/recovery-codes', {
      token: ok.body.token,
      body: { code: await user.phone.code() },
      headers: { 'x-forwarded-for': address },
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body.recoveryCodes).toHaveLength(10);
    expect(replaced.body.recoveryCodes).not.toContain(second);
    const old = await completeLogin(
      { mfaToken: await passwordStep(user.email, address), recoveryCode: second },
      address,
    );
    expect(old.status).toBe(401);
    const fresh = await completeLogin(
      { mfaToken: await passwordStep(user.email, address), recoveryCode: replaced.body.recoveryCodes[3] },
      address,
    );
    expect(fresh.status).toBe(200);
  });

  it('replacing them needs a right code: a wrong one is 400 (the session stands) and counted', async () => {
    const user = await enrolled();
    const address = newAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.request<ErrorBody>('POST', '/api/v1/me/mfa/recovery-codes', {
        token: user.token,
        body: { code: user.phone.wrong() },
        headers: { 'x-forwarded-for': address },
      });
      statuses.push(res.status);
      if (res.status === 400) expect(res.body.error.details?.[0]?.path).toBe('body.code');
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
    expect((await t.request('GET', '/api/v1/me', { token: user.token })).status).toBe(200);
  });
});

describe('what is stored', () => {
  it('the database holds the secret only encrypted, and the audit log records enrolment but no secret', async () => {
    const user = await enrolled();
    const { secret } = user.enrolment;
    const rows = await t.platform.db.query<{ secret_ciphertext: Uint8Array; confirmed_at: Date | null }>(
      'select secret_ciphertext, confirmed_at from user_mfa where user_id = $1',
      [user.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.confirmed_at).not.toBeNull();
    const box = Buffer.from(rows[0]?.secret_ciphertext ?? new Uint8Array());
    const raw = (URI.parse(user.enrolment.uri) as TOTP).secret.bytes;
    expect(box.length).toBeGreaterThan(28);
    expect(box.toString('latin1')).not.toContain(secret);
    expect(box.includes(Buffer.from(raw))).toBe(false);
    // Nothing of the users table holds it either.
    const usersRow = await t.platform.db.query('select * from users where id = $1', [user.id]);
    expect(JSON.stringify(usersRow)).not.toContain(secret);
    const mfaEntries = await t.platform.db.query<{ action: string; before: unknown; after: unknown }>(
      `select action, before, after from audit_log
       where org_id = $1 and entity = 'user_mfa' and entity_id = (select id::text from user_mfa where user_id = $2)
       order by id`,
      [t.orgA.id, user.id],
    );
    expect(mfaEntries.map((a) => a.action)).toEqual(['create', 'update']);
    expect(mfaEntries[0]?.after).toMatchObject({
      user_id: user.id,
      secret_ciphertext: '[secret]',
      confirmed_at: null,
    });
    expect(mfaEntries[1]?.after).toEqual({ confirmed_at: expect.any(String) });
    const codeEntries = await t.platform.db.query<{ after: { code_hash?: string } }>(
      `select after from audit_log where org_id = $1 and entity = 'user_recovery_code' and after->>'user_id' = $2`,
      [t.orgA.id, user.id],
    );
    expect(codeEntries.map((e) => e.after.code_hash)).toEqual(Array(10).fill('[secret]'));
    const everything = JSON.stringify(
      await t.platform.db.query('select * from audit_log where org_id = $1', [t.orgA.id]),
    );
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(box.toString('hex'));
    const hashes = await t.platform.db.query<{ code_hash: string }>(
      'select code_hash from user_recovery_codes where user_id = $1',
      [user.id],
    );
    for (const { code_hash } of hashes) expect(everything).not.toContain(code_hash);
    for (const code of user.recoveryCodes) expect(everything).not.toContain(code.replaceAll('-', ''));
  });

  it("the tenant role sees only its own organisation's MFA rows", async () => {
    const a = await enrolled(t.orgA.id);
    const b = await enrolled(t.orgB.id);
    const seen = await t.platform.db.transaction(async (tx) => {
      await tx.exec('set local role fleet_tenant');
      await tx.query("select set_config('fleet.org_id', $1, true)", [t.orgA.id]);
      return tx.query<{ user_id: string }>(
        'select user_id::text as user_id from user_mfa union all select user_id::text from user_recovery_codes',
      );
    });
    const ids = new Set(seen.map((r) => r.user_id));
    expect(ids.has(a.id)).toBe(true);
    expect(ids.has(b.id)).toBe(false);
  });
});

describe('turning MFA off', () => {
  it('needs the password and a code; wrong ones are 400 with the field named', async () => {
    const user = await enrolled();
    const address = newAddress();
    const off = (body: Record<string, unknown>) =>
      t.request<ErrorBody & { enabled: boolean }>('DELETE', '/api/v1/me/mfa', {
        token: user.token,
        body,
        headers: { 'x-forwarded-for': address },
      });
    const wrongPassword = await off({ password: 'not my password', code: await user.phone.code() });
    expect(wrongPassword.status).toBe(400);
    expect(wrongPassword.body.error.details?.[0]?.path).toBe('body.password');
    const wrongCode = await off({ password: TEST_PASSWORD, code: user.phone.wrong() });
    expect(wrongCode.status).toBe(400);
    expect(wrongCode.body.error.details?.[0]?.path).toBe('body.code');
    expect((await off({ password: TEST_PASSWORD })).status).toBe(400);
    const done = await off({ password: TEST_PASSWORD, recoveryCode: user.recoveryCodes[5] });
    expect(done.status, done.text).toBe(200);
    expect(done.body).toEqual({ enabled: false });
    expect((await loginWithPassword(user.email, newAddress())).body.token).toEqual(expect.any(String));
    const left = await t.platform.db.query(
      'select 1 from user_mfa where user_id = $1 union all select 1 from user_recovery_codes where user_id = $1',
      [user.id],
    );
    expect(left).toEqual([]);
    expect((await off({ password: TEST_PASSWORD, code: '123456' })).status).toBe(409);
  });

  it("an administrator resets another user's MFA; other roles may not; other organisations' users are 404", async () => {
    const user = await enrolled();
    const admin = t.orgA.users.admin.token;
    expect(
      (await t.request('DELETE', `/api/v1/users/${user.id}/mfa`, { token: t.orgA.users.fleet_manager.token }))
        .status,
    ).toBe(403);
    const elsewhere = await enrolled(t.orgB.id);
    for (const id of [elsewhere.id, randomUUID()]) {
      const res = await t.request<ErrorBody>('DELETE', `/api/v1/users/${id}/mfa`, { token: admin });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await t.request('DELETE', '/api/v1/users/not-a-uuid/mfa', { token: admin })).status).toBe(400);
    // The other organisation's user still has MFA.
    expect((await loginWithPassword(elsewhere.email, newAddress())).body.mfaRequired).toBe(true);
    expect(
      (await t.request('DELETE', `/api/v1/users/${t.orgA.users.admin.id}/mfa`, { token: admin })).status,
    ).toBe(409);
    const reset = await t.request<{ enabled: boolean }>('DELETE', `/api/v1/users/${user.id}/mfa`, {
      token: admin,
    });
    expect(reset.status).toBe(200);
    const plain = await loginWithPassword(user.email, newAddress());
    expect(plain.body.token).toEqual(expect.any(String));
    expect(plain.body.mfaRequired).toBeUndefined();
    const audit = await t.platform.db.query<{ actor_id: string }>(
      `select actor_id::text as actor_id from audit_log where entity = 'user_mfa' and action = 'delete' and before->>'user_id' = $1`,
      [user.id],
    );
    expect(audit.map((a) => a.actor_id)).toEqual([t.orgA.users.admin.id]);
  });
});

describe('the organisation requires MFA of administrators', () => {
  it('an administrator without MFA signs in limited to enrolling, and enrolling lifts the limit', async () => {
    const org = await t.platform.registry.ensureOrganisation(`mfa-${randomUUID().slice(0, 8)}`);
    const admin = await newUser(org.id, 'admin');
    const dispatcher = await newUser(org.id, 'dispatcher');
    const adminToken = await t.login(admin.email);
    const dispatcherToken = await t.login(dispatcher.email);
    expect(
      (
        await t.request('PATCH', '/api/v1/organisation', {
          token: dispatcherToken,
          body: { mfaRequiredForAdmins: true },
        })
      ).status,
    ).toBe(403);
    const set = await t.request<{ mfaRequiredForAdmins: boolean }>('PATCH', '/api/v1/organisation', {
      token: adminToken,
      body: { mfaRequiredForAdmins: true },
    });
    expect(set.status, set.text).toBe(200);
    expect(set.body.mfaRequiredForAdmins).toBe(true);
    const bad = await t.request('PATCH', '/api/v1/organisation', {
      token: adminToken,
      body: { mfaRequiredForAdmins: 'yes' },
    });
    expect(bad.status).toBe(400);

    const address = newAddress();
    const login = await loginWithPassword(admin.email, address);
    expect(login.status).toBe(200);
    expect(login.body.mfaEnrolmentRequired).toBe(true);
    const limited = login.body.token;
    const refreshCookie = cookieOf(login.headers, 'fleet_refresh') ?? '';
    const me = await t.request<{
      mfaEnabled: boolean;
      mfaEnrolmentRequired: boolean;
      organisation: { mfaRequiredForAdmins: boolean };
    }>('GET', '/api/v1/me', { token: limited });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      mfaEnabled: false,
      mfaEnrolmentRequired: true,
      organisation: { mfaRequiredForAdmins: true },
    });
    for (const [method, path] of [
      ['GET', '/api/v1/devices'],
      ['GET', '/api/v1/users'],
      ['PATCH', '/api/v1/organisation'],
      ['GET', '/api/v1/fleet/latest'],
    ] as const) {
      const res = await t.request<ErrorBody>(method, path, {
        token: limited,
        body: method === 'PATCH' ? { name: 'x' } : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('mfa_enrolment_required');
    }
    // No live fleet either.
    const hub = new HubClient(t.url, limited);
    await hub.closed;
    expect(hub.closeCode).toBe(4001);
    // Other roles are not concerned.
    const other = await loginWithPassword(dispatcher.email, address);
    expect(other.body.mfaEnrolmentRequired).toBe(false);
    expect((await t.request('GET', '/api/v1/devices', { token: other.body.token })).status).toBe(200);
    // Refreshing keeps the limit while there is no MFA.
    const stillLimited = await t.request<{ token: string }>('POST', '/api/v1/auth/refresh', {
      headers: { cookie: refreshCookie },
    });
    expect(stillLimited.status).toBe(200);
    expect((await t.request('GET', '/api/v1/devices', { token: stillLimited.body.token })).status).toBe(403);
    const nextCookie = cookieOf(stillLimited.headers, 'fleet_refresh') ?? '';

    // Enrolment is what the limited token may do.
    const enrolment = await t.request<Enrolment>('POST', '/api/v1/me/mfa/totp', {
      token: stillLimited.body.token,
      body: again,
    });
    expect(enrolment.status).toBe(200);
    const phone = new Phone(enrolment.body.uri);
    const confirmed = await t.request('POST', '/api/v1/me/mfa/totp/confirm', {
      token: stillLimited.body.token,
      body: { code: await phone.code() },
    });
    expect(confirmed.status).toBe(200);
    const full = await t.request<{ token: string }>('POST', '/api/v1/auth/refresh', {
      headers: { cookie: nextCookie },
    });
    expect(full.status).toBe(200);
    expect((await t.request('GET', '/api/v1/devices', { token: full.body.token })).status).toBe(200);
    // Under the policy an administrator may not turn their own MFA off.
    const off = await t.request<ErrorBody>('DELETE', '/api/v1/me/mfa', {
      token: full.body.token,
      body: { password: TEST_PASSWORD, code: await phone.code() },
      headers: { 'x-forwarded-for': address },
    });
    expect(off.status).toBe(409);
    // And the next sign-in asks for the code.
    expect((await loginWithPassword(admin.email, address)).body.mfaRequired).toBe(true);
  });
});

describe('garbage', () => {
  it('the second step answers 400 or 401 (429 at most) to generated bodies and forged tokens, never 5xx', async () => {
    const { seed, runs } = fuzzParameters('MFA sign-in step', 150);
    const user = await enrolled();
    const address = newAddress();
    const genuine = await passwordStep(user.email, address);
    const [, payload = ''] = genuine.split('.');
    const forged = [
      await new SignJWT({ org: user.id, acct: user.email, jti: 'x' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.id)
        .setIssuer('fleet-platform')
        .setAudience('fleet-mfa-login')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('not the signing key of this install')),
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`,
      user.token, // an access token is no challenge
      `${genuine.slice(0, -4)}AAAA`,
    ];
    const token = fc.oneof(fc.constantFrom(...forged), fc.string({ maxLength: 300 }), fc.constant(genuine));
    const code = fc.oneof(
      fc.stringMatching(/^\d{6}$/),
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.constant(null),
      fc.constantFrom('', '000000', '１２３４５６', '12345\u0000'),
    );
    const body = fc.oneof(
      fc.record({ mfaToken: token, code }, { requiredKeys: [] }),
      fc.record({ mfaToken: token, recoveryCode: fc.oneof(fc.string({ maxLength: 50 }), fc.jsonValue()) }),
      fc.record({ mfaToken: token, code, recoveryCode: fc.string() }),
      fc.jsonValue(),
    );
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        // A fresh address per case: the point is the answers, not the limits (tested above).
        const res = await completeLogin(b as Record<string, unknown>, newAddress());
        statuses.add(res.status);
        expect([400, 401, 429], res.text.slice(0, 200)).toContain(res.status);
        expect(typeof (res.body as ErrorBody).error?.code).toBe('string');
      }),
      { seed, numRuns: runs },
    );
    expect(statuses.has(400)).toBe(true);
    expect(statuses.has(401)).toBe(true);
    // Forged tokens never get as far as a code, even one that is right.
    for (const f of forged) {
      const res = await completeLogin({ mfaToken: f, recoveryCode: user.recoveryCodes[9] }, newAddress());
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
  });

  it('the signed-in MFA routes answer generated bodies with 4xx, never 5xx', async () => {
    const { seed, runs } = fuzzParameters('MFA account routes', 120);
    const user = await enrolled();
    const route = fc.constantFrom(
      ['POST', '/api/v1/me/mfa/totp/confirm'],
      ['POST', '/api/v1/me/mfa/recovery-codes'],
      ['DELETE', '/api/v1/me/mfa'],
    );
    const value = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.stringMatching(/^\d{6}$/),
      fc.integer(),
      fc.jsonValue(),
    );
    const body = fc.oneof(
      fc.record({ code: value, recoveryCode: value, password: value }, { requiredKeys: [] }),
      fc.jsonValue(),
    );
    await fc.assert(
      fc.asyncProperty(route, body, async ([method, path], b) => {
        const res = await t.request<ErrorBody>(method, path, {
          token: user.token,
          body: b,
          headers: { 'x-forwarded-for': newAddress() },
        });
        expect(
          [400, 409, 429],
          `${method} ${path} ${JSON.stringify(b)}: ${res.text.slice(0, 200)}`,
        ).toContain(res.status);
      }),
      { seed, numRuns: runs },
    );
    // Still on: generated bodies turned nothing off.
    expect((await t.request<MfaStatus>('GET', '/api/v1/me/mfa', { token: user.token })).body.enabled).toBe(
      true,
    );
  });
});
