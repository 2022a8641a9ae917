// Automatic assignment from a driver card: the rule as a table of situations, then the same rule
// applied to an in-process database (PGlite, no network): a card in a van's tracker hands the
// van to its driver, ending what it must, once; replays and strangers change nothing; the sink
// keeps going through bad readings.
import { randomUUID } from 'node:crypto';
import { countingFaultReporter } from '@fleet/shared';
import { DeviceRegistry, inTenant, migrate, openDatabase, type SqlDatabase } from '@fleet/shared/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyDriverCardReading,
  createDriverCardSink,
  type DriverCardDecision,
  type DriverCardReading,
  type DriverCardSituation,
  decideDriverCard,
} from './auto-assign.ts';
import { Drivers } from './repository.ts';
import { newDriverSchema } from './schemas.ts';

const T0 = new Date('2026-11-23T06:00:00Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const reading = (cardId: string | null, at = later(10)): DriverCardReading => ({
  orgId: randomUUID(),
  deviceId: 'trk-1',
  cardId,
  at,
});
const van = { assetId: 'van-1', kind: 'vehicle' };
const anna = { id: 'anna', status: 'active', erased: false };
const nobody: DriverCardSituation = {
  installedOn: van,
  driver: anna,
  vehicleCurrent: undefined,
  driverCurrent: undefined,
  laterAssignment: false,
};

describe('decideDriverCard', () => {
  const cases: [string, DriverCardReading, Partial<DriverCardSituation>, DriverCardDecision][] = [
    [
      'a card in an empty van assigns its driver',
      reading('01A2'),
      {},
      { action: 'assign', driverId: 'anna', vehicleId: 'van-1', at: later(10), end: [] },
    ],
    [
      "ends the van's driver and the driver's other van at the reading's time",
      reading('01A2'),
      {
        vehicleCurrent: { id: 'x1', driverId: 'bob', startsAt: T0, source: 'manual' },
        driverCurrent: { id: 'x2', assetId: 'van-2', startsAt: later(1) },
      },
      { action: 'assign', driverId: 'anna', vehicleId: 'van-1', at: later(10), end: ['x1', 'x2'] },
    ],
    [
      'the same card again changes nothing',
      reading('01A2'),
      {
        vehicleCurrent: { id: 'x1', driverId: 'anna', startsAt: T0, source: 'driver_card' },
        driverCurrent: { id: 'x1', assetId: 'van-1', startsAt: T0 },
      },
      { action: 'ignore', reason: 'already_assigned' },
    ],
    [
      'a device on no asset',
      reading('01A2'),
      { installedOn: undefined },
      { action: 'ignore', reason: 'not_installed' },
    ],
    [
      'a device on an equipment item',
      reading('01A2'),
      { installedOn: { assetId: 'gen-1', kind: 'equipment' } },
      { action: 'ignore', reason: 'not_a_vehicle' },
    ],
    [
      'a card nobody has',
      reading('FFFF'),
      { driver: undefined },
      { action: 'ignore', reason: 'unknown_card' },
    ],
    [
      'an inactive driver',
      reading('01A2'),
      { driver: { ...anna, status: 'inactive' } },
      { action: 'ignore', reason: 'driver_unavailable' },
    ],
    [
      'an erased driver',
      reading('01A2'),
      { driver: { ...anna, erased: true } },
      { action: 'ignore', reason: 'driver_unavailable' },
    ],
    [
      "a replayed reading older than the van's current assignment",
      reading('01A2', later(5)),
      { vehicleCurrent: { id: 'x1', driverId: 'bob', startsAt: later(5), source: 'manual' } },
      { action: 'ignore', reason: 'out_of_order' },
    ],
    [
      'a reading before a later assignment',
      reading('01A2'),
      { laterAssignment: true },
      { action: 'ignore', reason: 'out_of_order' },
    ],
    [
      'a card taken out ends the assignment a card made',
      reading(null),
      {
        driver: undefined,
        vehicleCurrent: { id: 'x1', driverId: 'anna', startsAt: T0, source: 'driver_card' },
      },
      { action: 'end', assignmentId: 'x1', at: later(10) },
    ],
    [
      "a card taken out leaves a dispatcher's assignment",
      reading(null),
      { driver: undefined, vehicleCurrent: { id: 'x1', driverId: 'anna', startsAt: T0, source: 'manual' } },
      { action: 'ignore', reason: 'no_card_assignment' },
    ],
    [
      'a card taken out of an empty van',
      reading(null),
      { driver: undefined },
      { action: 'ignore', reason: 'no_card_assignment' },
    ],
  ];
  it.each(cases)('%s', (_, r, situation, expected) => {
    expect(decideDriverCard(r, { ...nobody, ...situation })).toEqual(expected);
  });
});

describe('applied to the database', () => {
  let db: SqlDatabase;
  let orgId: string;
  const device = { id: '', other: '' };
  const vans: Record<'van' | 'truck' | 'generator', string> = { van: '', truck: '', generator: '' };
  const drivers: Record<'anna' | 'bob', string> = { anna: '', bob: '' };

  const assignments = (assetId: string) =>
    inTenant(db, orgId, (tx) =>
      tx.query<{ driver_id: string; starts_at: Date; ends_at: Date | null; source: string }>(
        'select driver_id::text as driver_id, starts_at, ends_at, source from driver_assignments where asset_id = $1 order by starts_at',
        [assetId],
      ),
    );
  const apply = (cardId: string | null, at: Date, deviceId = device.id) =>
    applyDriverCardReading(db, { orgId, deviceId, cardId, at });

  beforeAll(async () => {
    db = await openDatabase({ pgliteDir: 'memory://' });
    await migrate(db);
    const registry = new DeviceRegistry(db);
    orgId = (await registry.ensureOrganisation('cards')).id;
    device.id = (await registry.provision({ orgId, name: 'van tracker', kind: 'vehicle' })).device.id;
    device.other = (await registry.provision({ orgId, name: 'generator tag', kind: 'equipment' })).device.id;
    await inTenant(db, orgId, async (tx) => {
      const asset = async (kind: string, name: string) =>
        (
          await tx.query<{ id: string }>(
            'insert into assets (org_id, kind, name) values ($1, $2, $3) returning id::text as id',
            [orgId, kind, name],
          )
        )[0]?.id ?? '';
      vans.van = await asset('vehicle', 'Van 1');
      vans.truck = await asset('vehicle', 'Truck 2');
      vans.generator = await asset('equipment', 'Generator');
      await tx.query(
        `insert into installations (org_id, device_id, asset_id, installed_at) values
           ($1, $2, $3, $5), ($1, $4, $6, $5)`,
        [orgId, device.id, vans.van, device.other, T0, vans.generator],
      );
    });
    const repo = new Drivers(db, orgId);
    drivers.anna = (await repo.create(newDriverSchema.parse({ name: 'Anna', driverCardId: '01:a2:b3' }))).id;
    drivers.bob = (await repo.create(newDriverSchema.parse({ name: 'Bob', driverCardId: 'B0B' }))).id;
  });
  afterAll(() => db?.close());

  it("a card hands the van to its driver, once, and another card hands it over at the reading's time", async () => {
    // Written as people write it on the label: the stored form has no separators.
    expect(await apply('01-A2-B3', later(10))).toMatchObject({ action: 'assign', driverId: drivers.anna });
    expect(await apply('01A2B3', later(11))).toEqual({ action: 'ignore', reason: 'already_assigned' });
    expect(await apply('b0b', later(30))).toMatchObject({ action: 'assign', driverId: drivers.bob });
    const rows = await assignments(vans.van);
    expect(rows.map((r) => [r.driver_id, r.source])).toEqual([
      [drivers.anna, 'driver_card'],
      [drivers.bob, 'driver_card'],
    ]);
    expect(rows[0]?.ends_at?.getTime()).toBe(later(30).getTime());
    expect(rows[1]?.starts_at.getTime()).toBe(later(30).getTime());
    expect(rows[1]?.ends_at).toBeNull();
    // Replays of buffered readings: one that agrees with history, one that would rewrite it.
    expect(await apply('01A2B3', later(20))).toEqual({ action: 'ignore', reason: 'already_assigned' });
    expect(await apply('B0B', later(20))).toEqual({ action: 'ignore', reason: 'out_of_order' });
    // Card out ends the card's assignment; strangers and the equipment tag change nothing.
    expect(await apply(null, later(40))).toMatchObject({ action: 'end' });
    expect((await assignments(vans.van))[1]?.ends_at?.getTime()).toBe(later(40).getTime());
    expect(await apply('DEADBEEF', later(50))).toEqual({ action: 'ignore', reason: 'unknown_card' });
    expect(await apply('01A2B3', later(50), device.other)).toEqual({
      action: 'ignore',
      reason: 'not_a_vehicle',
    });
    expect(await apply('01A2B3', later(50), 'not-installed')).toEqual({
      action: 'ignore',
      reason: 'not_installed',
    });
    expect(await apply('not a card!', later(50))).toEqual({ action: 'ignore', reason: 'bad_card' });
    expect(await assignments(vans.van)).toHaveLength(2);
    expect(await assignments(vans.generator)).toHaveLength(0);
    // The audit log names the device as who made the change.
    const actors = await inTenant(db, orgId, (tx) =>
      tx.query<{ actor_kind: string; actor_label: string }>(
        "select distinct actor_kind, actor_label from audit_log where entity = 'driver_assignment'",
      ),
    );
    expect(actors).toEqual([{ actor_kind: 'device', actor_label: `device ${device.id}` }]);
  });

  it("the sink acts on a device's card changes in order, and a failing reading stops nothing", async () => {
    const faults = countingFaultReporter();
    const decisions: DriverCardDecision['action'][] = [];
    const sink = createDriverCardSink({ db, faults, onDecision: (_, d) => decisions.push(d.action) });
    const base = later(60);
    const at = (m: number) => new Date(base.getTime() + m * 60_000);
    // Repeated in every record: only the changes reach the database.
    for (const [card, m] of [
      ['01A2B3', 1],
      ['01A2B3', 2],
      ['01A2B3', 3],
      ['B0B', 4],
      ['B0B', 5],
    ] as const)
      sink({ orgId, deviceId: device.id, cardId: card, at: at(m) });
    // Not an organisation id: inTenant throws; reported, and the others go on.
    sink({ orgId: 'not-a-uuid', deviceId: device.id, cardId: 'B0B', at: at(6) });
    await sink.idle();
    expect(decisions).toEqual(['assign', 'assign']);
    expect(faults.faults).toEqual([{ boundary: 'bus', site: 'drivers.auto-assign' }]);
    const rows = await assignments(vans.van);
    expect(
      rows.slice(-2).map((r) => [r.driver_id, r.starts_at.getTime(), r.ends_at?.getTime() ?? null]),
    ).toEqual([
      [drivers.anna, at(1).getTime(), at(4).getTime()],
      [drivers.bob, at(4).getTime(), null],
    ]);
  });
});
