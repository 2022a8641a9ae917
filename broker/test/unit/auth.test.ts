import type { CredentialCheck, Device } from '@fleet/shared/db';
import { describe, expect, it } from 'vitest';
import { type CredentialSource, DeviceAuthenticator } from '../../src/auth.ts';

const device = (id: string): Device => ({
  id,
  orgId: 'org-1',
  kind: 'vehicle',
  name: `name-${id}`,
  createdAt: new Date('2025-01-01T00:00:00Z'),
  disabledAt: null,
});

/** A registry stand-in: knows tokens and disabled devices, counts every look-up. */
class FakeSource implements CredentialSource {
  readonly tokens = new Map<string, string>();
  readonly disabled = new Set<string>();
  calls: [string, string][] = [];

  async checkCredentials(deviceId: string, token: string): Promise<CredentialCheck> {
    this.calls.push([deviceId, token]);
    const known = this.tokens.get(deviceId);
    if (known === undefined) return { ok: false, reason: 'unknown_device' };
    if (known !== token) return { ok: false, reason: 'bad_token' };
    if (this.disabled.has(deviceId)) return { ok: false, reason: 'device_disabled' };
    return { ok: true, device: device(deviceId) };
  }
}

function setup(ttlMs = 30_000, maxEntries?: number, unknownTtlMs?: number) {
  const source = new FakeSource();
  source.tokens.set('dev-1', 'fdt_one');
  source.tokens.set('dev-2', 'fdt_two');
  let now = 1_000_000;
  const clock = {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
  const auth = new DeviceAuthenticator(
    source,
    ttlMs,
    clock.now,
    maxEntries,
    unknownTtlMs === undefined ? {} : { unknownTtlMs },
  );
  return { source, auth, clock };
}

const pw = (s: string) => Buffer.from(s, 'utf8');

describe('DeviceAuthenticator', () => {
  it('accepts a known device with its token', async () => {
    const { auth, source } = setup();
    expect(await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'))).toEqual({
      ok: true,
      device: device('dev-1'),
    });
    expect(source.calls).toEqual([['dev-1', 'fdt_one']]);
  });

  it.each<[string, string | undefined, Buffer | undefined]>([
    ['no username', undefined, pw('fdt_one')],
    ['empty username', '', pw('fdt_one')],
    ['no password', 'dev-1', undefined],
    ['empty password', 'dev-1', Buffer.alloc(0)],
    ['a password over 512 bytes', 'dev-1', Buffer.alloc(513, 0x61)],
  ])('%s -> bad_credentials without a look-up', async (_label, username, password) => {
    const { auth, source } = setup();
    expect(await auth.authenticate('dev-1', username, password)).toEqual({
      ok: false,
      reason: 'bad_credentials',
    });
    expect(source.calls).toHaveLength(0);
  });

  it('clientId different from username -> client_id_mismatch without a look-up', async () => {
    const { auth, source } = setup();
    expect(await auth.authenticate('dev-2', 'dev-1', pw('fdt_one'))).toEqual({
      ok: false,
      reason: 'client_id_mismatch',
    });
    expect(await auth.authenticate('', 'dev-1', pw('fdt_one'))).toEqual({
      ok: false,
      reason: 'client_id_mismatch',
    });
    expect(source.calls).toHaveLength(0);
  });

  it('maps the registry refusals: bad_token -> bad_credentials, unknown, disabled', async () => {
    const { auth, source } = setup();
    expect(await auth.authenticate('dev-1', 'dev-1', pw('fdt_wrong'))).toEqual({
      ok: false,
      reason: 'bad_credentials',
    });
    expect(await auth.authenticate('ghost', 'ghost', pw('fdt_one'))).toEqual({
      ok: false,
      reason: 'unknown_device',
    });
    source.disabled.add('dev-2');
    expect(await auth.authenticate('dev-2', 'dev-2', pw('fdt_two'))).toEqual({
      ok: false,
      reason: 'device_disabled',
    });
  });

  it('serves a repeat from the cache within the TTL', async () => {
    const { auth, source, clock } = setup(30_000);
    await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'));
    clock.advance(29_999);
    expect(await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'))).toEqual({
      ok: true,
      device: device('dev-1'),
    });
    expect(source.calls).toHaveLength(1);
  });

  it('looks up again once the entry expired', async () => {
    const { auth, source, clock } = setup(30_000);
    await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'));
    clock.advance(30_000);
    await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'));
    expect(source.calls).toHaveLength(2);
    // ... and the fresh answer is cached again.
    clock.advance(1000);
    await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'));
    expect(source.calls).toHaveLength(2);
  });

  it('a changed registry answer is seen after expiry (disabled meanwhile)', async () => {
    const { auth, source, clock } = setup(30_000);
    await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'));
    source.disabled.add('dev-1');
    clock.advance(30_001);
    expect(await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'))).toEqual({
      ok: false,
      reason: 'device_disabled',
    });
  });

  it('never serves a different token from the cache', async () => {
    const { auth, source } = setup();
    await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'));
    expect(await auth.authenticate('dev-1', 'dev-1', pw('fdt_other'))).toEqual({
      ok: false,
      reason: 'bad_credentials',
    });
    expect(source.calls).toEqual([
      ['dev-1', 'fdt_one'],
      ['dev-1', 'fdt_other'],
    ]);
  });

  it('keeps cache entries per device', async () => {
    const { auth, source } = setup();
    await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'));
    // dev-2 with dev-1's token is not served from dev-1's entry.
    expect(await auth.authenticate('dev-2', 'dev-2', pw('fdt_one'))).toEqual({
      ok: false,
      reason: 'bad_credentials',
    });
    expect((await auth.authenticate('dev-2', 'dev-2', pw('fdt_two'))).ok).toBe(true);
    expect(source.calls).toHaveLength(3);
  });

  it('invalidate() forces a look-up', async () => {
    const { auth, source } = setup();
    await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'));
    source.disabled.add('dev-1');
    // Still cached: the broker relies on invalidate() for changes.
    expect((await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'))).ok).toBe(true);
    auth.invalidate('dev-1');
    expect(await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'))).toEqual({
      ok: false,
      reason: 'device_disabled',
    });
    expect(source.calls).toHaveLength(2);
    auth.invalidate('never-seen'); // harmless
  });

  it('a reissued token: the old one stops working at once after invalidate()', async () => {
    const { auth, source } = setup();
    await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'));
    source.tokens.set('dev-1', 'fdt_new');
    auth.invalidate('dev-1');
    expect(await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'))).toEqual({
      ok: false,
      reason: 'bad_credentials',
    });
    expect((await auth.authenticate('dev-1', 'dev-1', pw('fdt_new'))).ok).toBe(true);
  });

  it('a TTL of 0 never caches', async () => {
    const { auth, source } = setup(0);
    await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'));
    await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'));
    expect(source.calls).toHaveLength(2);
  });

  it('stays bounded by maxEntries', async () => {
    const { auth, source } = setup(30_000, 2);
    for (let i = 3; i <= 5; i++) source.tokens.set(`dev-${i}`, `fdt_${i}`);
    await auth.authenticate('dev-3', 'dev-3', pw('fdt_3'));
    await auth.authenticate('dev-4', 'dev-4', pw('fdt_4'));
    await auth.authenticate('dev-5', 'dev-5', pw('fdt_5')); // over the bound: the cache starts over
    const before = source.calls.length;
    await auth.authenticate('dev-5', 'dev-5', pw('fdt_5'));
    expect(source.calls.length).toBe(before); // the newest entry is kept
    await auth.authenticate('dev-3', 'dev-3', pw('fdt_3'));
    expect(source.calls.length).toBe(before + 1); // an old one is gone
  });

  it('remembers an unknown id for a few seconds: a flood of one made-up id is one look-up', async () => {
    const { auth, source, clock } = setup(30_000, undefined, 5_000);
    for (let i = 0; i < 20; i++) {
      expect(await auth.authenticate('ghost', 'ghost', pw(`fdt_${i}`))).toEqual({
        ok: false,
        reason: 'unknown_device',
      });
    }
    expect(source.calls).toHaveLength(1);
    clock.advance(5_000);
    await auth.authenticate('ghost', 'ghost', pw('fdt_x'));
    expect(source.calls).toHaveLength(2);
  });

  it('an id provisioned meanwhile is known at once after invalidate()', async () => {
    const { auth, source } = setup();
    await auth.authenticate('dev-9', 'dev-9', pw('fdt_nine'));
    source.tokens.set('dev-9', 'fdt_nine');
    expect((await auth.authenticate('dev-9', 'dev-9', pw('fdt_nine'))).ok).toBe(false); // remembered
    auth.invalidate('dev-9');
    expect((await auth.authenticate('dev-9', 'dev-9', pw('fdt_nine'))).ok).toBe(true);
  });

  it('wrong tokens for a known device are never remembered as unknown, nor evict its entry', async () => {
    const { auth, source } = setup();
    await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'));
    for (let i = 0; i < 5; i++) await auth.authenticate('dev-1', 'dev-1', pw(`fdt_wrong_${i}`));
    const before = source.calls.length;
    expect((await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'))).ok).toBe(true);
    expect(source.calls.length).toBe(before); // still from the cache
  });

  it.each([
    ['too short', 'ab'],
    ['too long', 'd'.repeat(65)],
    ['a NUL', 'dev-\u0000-1'],
    ['a control character', 'dev-\u0007'],
    ['DEL', 'dev-\u007f'],
  ])('an id that cannot be a device id (%s) -> unknown_device without a look-up', async (_label, id) => {
    const { auth, source } = setup();
    expect(await auth.authenticate(id, id, pw('fdt_one'))).toEqual({ ok: false, reason: 'unknown_device' });
    expect(source.calls).toHaveLength(0);
  });

  it('check() answers from memory only, undefined when the registry must be asked', async () => {
    const { auth, source } = setup();
    expect(auth.check('dev-1', 'dev-1', pw('fdt_one'))).toBeUndefined();
    expect(auth.check('dev-1', undefined, pw('fdt_one'))).toEqual({ ok: false, reason: 'bad_credentials' });
    await auth.authenticate('dev-1', 'dev-1', pw('fdt_one'));
    expect(auth.check('dev-1', 'dev-1', pw('fdt_one'))).toEqual({ ok: true, device: device('dev-1') });
    expect(auth.check('dev-1', 'dev-1', pw('fdt_other'))).toBeUndefined();
    expect(source.calls).toHaveLength(1);
  });
});
