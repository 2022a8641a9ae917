// Installing devices from the asset pages (web/src/lib/assets/installations.ts): which devices
// are offered and in what order, the body of an installation (its time typed in the
// organisation's zone) checked as newInstallationSchema checks it, and how long one lasted.
import type { Installation } from '@fleet/api/contract';
import { describe, expect, it } from 'vitest';
import { newInstallationSchema } from '../../api/src/domains/assets/schemas.ts';
import {
  currentInstallations,
  deviceChoices,
  EMPTY_INSTALL,
  formatSpan,
  installRequest,
  type ListedDevice,
} from '../src/lib/assets/installations.ts';

const VAN = { id: '00000000-0000-4000-8000-000000000001', kind: 'vehicle' as const };

function device(name: string, change: Partial<ListedDevice> = {}): ListedDevice {
  return {
    id: `dev-${name.toLowerCase().replace(/\W+/g, '-')}`,
    kind: 'vehicle',
    name,
    createdAt: '2026-11-01T08:00:00.000Z',
    disabledAt: null,
    connection: 'online',
    asset: null,
    ...change,
  } as ListedDevice;
}

const on = (id: string, name: string, plate: string | null = null) => ({
  id,
  kind: 'vehicle' as const,
  name,
  plate,
  departmentId: null,
});

describe('the devices offered', () => {
  const devices = [
    device('Tracker 10'),
    device('Tag 1', { kind: 'equipment' }),
    device('Tracker 2'),
    device('Tracker 3', { asset: on('00000000-0000-4000-8000-000000000002', 'Van 3', 'ABC-123') }),
    device('Tracker 9', { disabledAt: '2026-11-02T08:00:00.000Z' }),
    device('Tracker 1', { asset: on(VAN.id, 'This van') }),
  ];

  it('puts free devices of the asset’s kind first (by name, numbers in order), then the others, disabled last', () => {
    const choices = deviceChoices(devices, VAN);
    expect(choices.free.map((c) => c.label)).toEqual([
      'Tracker 2',
      'Tracker 10',
      'Tag 1 (equipment device)',
      'Tracker 9 (disabled)',
    ]);
  });

  it('offers those on another asset apart, saying where they are, and not those on this one', () => {
    const choices = deviceChoices(devices, VAN);
    expect(choices.elsewhere).toEqual([{ value: 'dev-tracker-3', label: 'Tracker 3 — on Van 3 (ABC-123)' }]);
    expect([...choices.free, ...choices.elsewhere].map((c) => c.value)).not.toContain('dev-tracker-1');
  });

  it('for an equipment item, tags first', () => {
    const choices = deviceChoices(devices, { id: 'x', kind: 'equipment' });
    expect(choices.free[0]?.label).toBe('Tag 1');
  });
});

describe('an installation typed in the form', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');

  it('needs a device; its time is now unless one is typed', () => {
    expect(installRequest(EMPTY_INSTALL, 'Europe/Helsinki', now)).toEqual({
      ok: false,
      problems: { deviceId: 'choose a device' },
    });
    const request = installRequest(
      { deviceId: 'dev-1', installedAt: '', note: '  ' },
      'Europe/Helsinki',
      now,
    );
    expect(request).toEqual({ ok: true, body: { deviceId: 'dev-1' } });
  });

  it('reads the time in the organisation’s zone, not the browser’s', () => {
    const request = installRequest(
      { deviceId: 'dev-1', installedAt: '2026-11-21T09:30', note: ' Under the dash ' },
      'Europe/Helsinki',
      now,
    );
    expect(request).toEqual({
      ok: true,
      body: { deviceId: 'dev-1', installedAt: '2026-11-21T07:30:00.000Z', note: 'Under the dash' },
    });
    if (request.ok) expect(newInstallationSchema.safeParse(request.body).success).toBe(true);
  });

  it('refuses what the API refuses: the future, before 1990, a long note', () => {
    const refused = (installedAt: string, note = '') =>
      installRequest({ deviceId: 'dev-1', installedAt, note }, 'UTC', now);
    expect(refused('2026-11-21T12:05')).toEqual({
      ok: false,
      problems: { installedAt: 'not in the future' },
    });
    // Within the minute of clock difference the API allows.
    expect(refused('2026-11-21T12:00').ok).toBe(true);
    expect(refused('1989-12-31T23:59')).toEqual({ ok: false, problems: { installedAt: 'not before 1990' } });
    expect(refused('2026-02-31T10:00')).toEqual({
      ok: false,
      problems: { installedAt: 'not a date and time' },
    });
    expect(refused('', 'x'.repeat(501))).toEqual({
      ok: false,
      problems: { note: 'a note is at most 500 characters' },
    });
    expect(newInstallationSchema.safeParse({ deviceId: 'dev-1', note: 'x'.repeat(501) }).success).toBe(false);
    expect(refused('', 'x'.repeat(500)).ok).toBe(true);
  });
});

describe('the history', () => {
  const installation = (id: string, installedAt: string, removedAt: string | null): Installation => ({
    id,
    assetId: VAN.id,
    assetKind: 'vehicle',
    assetName: 'Van',
    deviceId: `dev-${id}`,
    deviceName: `Tracker ${id}`,
    installedAt,
    removedAt,
    note: null,
  });

  it('finds the devices on now, first installed first', () => {
    const items = [
      installation('3', '2026-11-20T08:00:00.000Z', null),
      installation('2', '2026-11-10T08:00:00.000Z', '2026-11-19T08:00:00.000Z'),
      installation('1', '2026-11-01T08:00:00.000Z', null),
    ];
    expect(currentInstallations(items).map((i) => i.id)).toEqual(['1', '3']);
  });

  it('says how long a device was on', () => {
    const t = Date.parse('2026-11-01T08:00:00Z');
    expect([
      formatSpan(t, t + 25 * 60_000),
      formatSpan(t, t + (5 * 60 + 7) * 60_000),
      formatSpan(t, t + (3 * 24 + 4) * 3_600_000),
      formatSpan(t, t - 1),
    ]).toEqual(['25 min', '5 h 7 min', '3 d 4 h', '0 min']);
  });
});
