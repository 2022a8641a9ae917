// The credential directory and its sync, as tables: what it answers from memory, what a change
// does, what a read that raced a change may not put back, its bound; and the authenticator
// asking it before the registry.
import { createHash } from 'node:crypto';
import type { CredentialCheck, Device, DeviceCredential } from '@fleet/shared/db';
import { describe, expect, it } from 'vitest';
import { type CredentialSource, DeviceAuthenticator } from '../../src/auth.ts';
import { CredentialDirectory } from '../../src/credential-directory.ts';
import { type CredentialRows, CredentialSync } from '../../src/credential-sync.ts';

const device = (id: string, disabled = false): Device => ({
  id,
  orgId: 'org-1',
  kind: 'vehicle',
  name: `name-${id}`,
  createdAt: new Date('2025-01-01T00:00:00Z'),
  disabledAt: disabled ? new Date('2025-02-01T00:00:00Z') : null,
});
const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
const credential = (
  id: string,
  token: string,
  o: { disabled?: boolean; suspended?: boolean } = {},
): DeviceCredential => ({
  device: device(id, o.disabled),
  tokenHash: hash(token),
  orgSuspended: o.suspended ?? false,
});
const pw = (s: string) => Buffer.from(s, 'utf8');

function loaded(...credentials: DeviceCredential[]): CredentialDirectory {
  const d = new CredentialDirectory(100);
  const read = d.beginRead();
  for (const c of credentials) d.put(read, c);
  d.endRead(read);
  return d;
}

describe('CredentialDirectory.check', () => {
  const d = loaded(
    credential('dev-ok', 'fdt_ok'),
    credential('dev-off', 'fdt_off', { disabled: true }),
    credential('dev-sus', 'fdt_sus', { suspended: true }),
    credential('dev-both', 'fdt_both', { disabled: true, suspended: true }),
  );
  const cases: [string, string, CredentialCheck['ok'] | string | undefined][] = [
    ['dev-ok', 'fdt_ok', true],
    ['dev-ok', 'fdt_wrong', 'bad_token'],
    ['dev-ok', '', 'bad_token'],
    ['dev-ok', 'fdt_ok ', 'bad_token'],
    ['dev-off', 'fdt_off', 'device_disabled'],
    ['dev-off', 'fdt_wrong', 'bad_token'], // the token is checked first, as the registry does
    ['dev-sus', 'fdt_sus', 'organisation_suspended'],
    ['dev-both', 'fdt_both', 'device_disabled'],
    ['dev-unknown', 'fdt_ok', undefined], // not held: ask the registry
  ];
  it.each(cases)('%s with %j -> %s', (id, token, expected) => {
    const answer = d.check(id, pw(token));
    if (expected === undefined) expect(answer).toBeUndefined();
    else if (expected === true) expect(answer).toEqual({ ok: true, device: device(id) });
    else expect(answer).toEqual({ ok: false, reason: expected });
  });
});

describe('CredentialDirectory bookkeeping', () => {
  it('forgets a changed device at once', () => {
    const d = loaded(credential('dev-1', 'fdt_1'));
    d.forget('dev-1');
    expect(d.check('dev-1', pw('fdt_1'))).toBeUndefined();
    expect(d.size).toBe(0);
  });

  it('does not put back a row read before a change of its device', () => {
    const d = new CredentialDirectory(100);
    const early = d.beginRead();
    d.forget('dev-1'); // e.g. disabled while the load was reading
    expect(d.put(early, credential('dev-1', 'fdt_old'))).toBe('stale');
    expect(d.put(early, credential('dev-2', 'fdt_2'))).toBe('put'); // unchanged devices go in
    const late = d.beginRead();
    expect(d.put(late, credential('dev-1', 'fdt_new'))).toBe('put');
    d.endRead(early);
    d.endRead(late);
    expect(d.check('dev-1', pw('fdt_new'))).toEqual({ ok: true, device: device('dev-1') });
    expect(d.check('dev-1', pw('fdt_old'))).toEqual({ ok: false, reason: 'bad_token' });
  });

  it('stays within its bound, and refuses hashes that are not SHA-256', () => {
    const d = new CredentialDirectory(2);
    const read = d.beginRead();
    expect(d.put(read, credential('dev-1', 'a'))).toBe('put');
    expect(d.put(read, credential('dev-2', 'b'))).toBe('put');
    expect(d.put(read, credential('dev-3', 'c'))).toBe('full');
    expect(d.put(read, credential('dev-1', 'a2'))).toBe('put'); // an update is not a new entry
    expect(d.put(read, { ...credential('dev-4', 'd'), tokenHash: 'argon2id$...' })).toBe('invalid');
    d.endRead(read);
    expect(d.size).toBe(2);
  });
});

/** A registry's credential rows in memory; counts the queries. */
class FakeRows implements CredentialRows {
  readonly rows = new Map<string, DeviceCredential>();
  queries: string[] = [];
  async credentials(
    options: { after?: string; limit: number } | { ids: readonly string[] },
  ): Promise<DeviceCredential[]> {
    if ('ids' in options) {
      this.queries.push(`ids:${options.ids.join(',')}`);
      return options.ids.flatMap((id) => {
        const row = this.rows.get(id);
        return row ? [row] : [];
      });
    }
    this.queries.push(`page:${options.after ?? ''}`);
    return [...this.rows.values()]
      .filter((r) => r.device.id > (options.after ?? ''))
      .sort((a, b) => (a.device.id < b.device.id ? -1 : 1))
      .slice(0, options.limit);
  }
}

describe('CredentialSync', () => {
  it('loads page by page and reads changed devices again in one query', async () => {
    const rows = new FakeRows();
    for (let i = 0; i < 25; i++)
      rows.rows.set(`dev-${String(i).padStart(2, '0')}`, credential(`dev-${i}`, `t${i}`));
    for (const [id, row] of rows.rows) rows.rows.set(id, { ...row, device: device(id) });
    const d = new CredentialDirectory(1000);
    const sync = new CredentialSync(d, rows, { pageSize: 10, rereadDelayMs: 1 });
    expect(await sync.load()).toBe(25);
    expect(rows.queries).toEqual(['page:', 'page:dev-09', 'page:dev-19']);
    rows.queries = [];
    // Three changes in a burst (say, a suspension): forgotten now, read again together.
    rows.rows.set('dev-01', { ...(rows.rows.get('dev-01') as DeviceCredential), orgSuspended: true });
    rows.rows.delete('dev-02');
    for (const id of ['dev-01', 'dev-02', 'dev-03']) sync.changed(id);
    expect(d.check('dev-01', pw('t1'))).toBeUndefined();
    await sync.settled();
    expect(rows.queries).toEqual(['ids:dev-01,dev-02,dev-03']);
    expect(d.check('dev-01', pw('t1'))).toEqual({ ok: false, reason: 'organisation_suspended' });
    expect(d.has('dev-02')).toBe(false);
    expect(d.check('dev-03', pw('t3'))).toEqual({ ok: true, device: device('dev-03') });
    sync.close();
  });

  it('stops loading at the bound', async () => {
    const rows = new FakeRows();
    for (let i = 0; i < 30; i++) {
      const id = `dev-${String(i).padStart(2, '0')}`;
      rows.rows.set(id, { ...credential(id, 't'), device: device(id) });
    }
    const d = new CredentialDirectory(12);
    expect(await new CredentialSync(d, rows, { pageSize: 10 }).load()).toBe(12);
    expect(rows.queries).toEqual(['page:', 'page:dev-09']);
  });
});

describe('DeviceAuthenticator with a directory', () => {
  class CountingSource implements CredentialSource {
    lookups = 0;
    async checkCredentials(deviceId: string): Promise<CredentialCheck> {
      this.lookups++;
      return deviceId === 'dev-new'
        ? { ok: true, device: device(deviceId) }
        : { ok: false, reason: 'unknown_device' };
    }
  }
  const directory = loaded(
    credential('dev-1', 'fdt_1'),
    credential('dev-off', 'fdt_off', { disabled: true }),
  );

  it('answers held devices from memory, right or wrong, and asks the registry for the rest', async () => {
    const source = new CountingSource();
    const auth = new DeviceAuthenticator(source, 30_000, Date.now, 100, { held: directory });
    expect(await auth.authenticate('dev-1', 'dev-1', pw('fdt_1'))).toMatchObject({ ok: true });
    expect(await auth.authenticate('dev-1', 'dev-1', pw('nope'))).toEqual({
      ok: false,
      reason: 'bad_credentials',
    });
    expect(await auth.authenticate('dev-off', 'dev-off', pw('fdt_off'))).toEqual({
      ok: false,
      reason: 'device_disabled',
    });
    // A wrong token changed nothing: the device still gets in, still without a look-up.
    expect(auth.check('dev-1', 'dev-1', pw('fdt_1'))).toMatchObject({ ok: true });
    expect(source.lookups).toBe(0);
    expect(await auth.authenticate('dev-new', 'dev-new', pw('x'))).toMatchObject({ ok: true });
    expect(source.lookups).toBe(1);
    expect(auth.cachedCredentials).toBe(1); // the looked-up device, in the TTL cache
  });
});
