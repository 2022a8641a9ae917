// Driver cards end to end, with a real broker, ingest, QuestDB, database and API: a van's
// tracker reports its driver's card over MQTT and the van is that driver's (source
// 'driver_card'); another card hands it over at that record's time; the card is stored and
// served with the device's latest values; a card nobody has changes nothing and is counted.
import { randomUUID } from 'node:crypto';
import { encodeTelemetryBatch, type TelemetryInput } from '@fleet/proto';
import { NO_MEASUREMENTS } from '@fleet/shared';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';
import { connectDevice, deviceFilter, type TestDevice, waitForRows } from '../../../../test/support.ts';
import { driverCardReading } from './card-feed.ts';

interface AssignmentBody {
  id: string;
  driverId: string;
  vehicleId: string;
  startsAt: string;
  endsAt: string | null;
  source: 'manual' | 'driver_card';
}
interface VehicleDriver {
  vehicleId: string;
  driver: { id: string; name: string } | null;
  assignment: AssignmentBody | null;
}

const MINUTE = 60_000;
const run = randomUUID().replaceAll('-', '').slice(0, 8).toUpperCase();

let t: TestApi;
let device: TestDevice;
let client: MqttClient;
let van: string;
const drivers = { anna: '', bob: '' };
/** As the labels on the cards read; the drivers were registered with the compact form. */
const cards = { anna: `01:a2:${run.slice(0, 4)}:${run.slice(4)}`, bob: `b0b-${run}` };

const manager = () => t.orgA.users.fleet_manager.token;

async function created(path: string, body: unknown): Promise<string> {
  const res = await t.request<{ id: string }>('POST', path, { token: manager(), body });
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${res.text}`);
  return res.body.id;
}

let seq = 0;
async function report(at: number, driverCardId?: string): Promise<void> {
  const records: TelemetryInput[] = [0, 1, 2].map((i) => ({
    seq: ++seq,
    tsMs: at + i * 1000,
    lat: 60.17 + i * 0.0001,
    lon: 24.94,
    speedKmh: 20,
    ignition: true,
    ...(driverCardId === undefined ? {} : { driverCardId }),
  }));
  // QoS 1: the PUBACK means the records are stored (and then published on the bus).
  await client.publishAsync(`devices/${device.id}/telemetry`, Buffer.from(encodeTelemetryBatch(records)), {
    qos: 1,
  });
}

async function vehicleDriver(): Promise<VehicleDriver> {
  const res = await t.request<VehicleDriver>('GET', `/api/v1/vehicles/${van}/driver`, { token: manager() });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function outcomes(): Promise<Record<string, number>> {
  const metric = await t.platform.metrics.getSingleMetric('fleet_driver_card_readings_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.outcome), v.value]));
}

beforeAll(async () => {
  t = await startTestApi();
  device = await t.orgA.provision('vehicle');
  van = await created('/api/v1/vehicles', { name: `Card van ${run}`, plate: `CRD-${run.slice(0, 3)}` });
  await created(`/api/v1/assets/${van}/installations`, {
    deviceId: device.id,
    installedAt: new Date(Date.now() - 60 * MINUTE).toISOString(),
  });
  drivers.anna = await created('/api/v1/drivers', { name: `Anna ${run}`, driverCardId: cards.anna });
  drivers.bob = await created('/api/v1/drivers', { name: `Bob ${run}`, driverCardId: cards.bob });
  client = await connectDevice(t.platform.service.mqttPort, device);
});
afterAll(async () => {
  await client?.endAsync();
  await t?.close();
});

describe('a tracker reporting driver cards', () => {
  const annaAt = Date.now() - 30 * MINUTE;
  const bobAt = Date.now() - 10 * MINUTE;

  it("assigns the card's driver to the van it is installed on, from the record's time", async () => {
    await report(annaAt - 5 * MINUTE); // driving without a card: nobody is assigned
    await report(annaAt, cards.anna);
    await expect.poll(async () => (await vehicleDriver()).driver?.id, { timeout: 15_000 }).toBe(drivers.anna);
    const { assignment } = await vehicleDriver();
    expect(assignment).toMatchObject({ driverId: drivers.anna, source: 'driver_card', endsAt: null });
    expect(assignment?.startsAt).toBe(new Date(annaAt + 2000).toISOString());
  });

  it('stores the card as reported and serves it with the latest values', async () => {
    const rows = await waitForRows<{ driver_card_id: string | null }>(
      t.platform.questdb,
      `select driver_card_id from telemetry where ${deviceFilter(device.id)} and driver_card_id != null`,
      3,
    );
    expect(rows.map((r) => r.driver_card_id)).toEqual([cards.anna, cards.anna, cards.anna]);
    const latest = await t.request<{ values: Record<string, unknown> }>(
      'GET',
      `/api/v1/devices/${device.id}/latest`,
      { token: t.orgA.users.viewer.token },
    );
    expect(latest.status, latest.text).toBe(200);
    expect(latest.body.values.driverCardId).toBe(cards.anna);
  });

  it("another card hands the van over at that record's time, and ends the first driver's assignment", async () => {
    await report(bobAt, cards.bob);
    await expect.poll(async () => (await vehicleDriver()).driver?.id, { timeout: 15_000 }).toBe(drivers.bob);
    const history = await t.request<{ items: AssignmentBody[]; total: number }>(
      'GET',
      `/api/v1/vehicles/${van}/assignments`,
      { token: manager() },
    );
    expect(history.body.total).toBe(2);
    // The bus carries the newest record of each message: the handover is at its time.
    const handover = new Date(bobAt + 2000).toISOString();
    expect(history.body.items.map((a) => [a.driverId, a.source, a.startsAt, a.endsAt])).toEqual([
      [drivers.bob, 'driver_card', handover, null],
      [drivers.anna, 'driver_card', new Date(annaAt + 2000).toISOString(), handover],
    ]);
  });

  it('a card nobody has changes nothing, and every outcome is counted', async () => {
    await report(bobAt + 5 * MINUTE, `DEAD${run}`);
    // Readings of one device are handled in order: once this one is counted, all are done.
    await expect.poll(async () => (await outcomes()).unknown_card, { timeout: 15_000 }).toBe(1);
    expect(await outcomes()).toMatchObject({ assign: 2 });
    expect((await vehicleDriver()).driver?.id).toBe(drivers.bob);
    const rows = await t.platform.db.query<{ n: number | string }>(
      'select count(*) as n from driver_assignments where asset_id = $1',
      [van],
    );
    expect(Number(rows[0]?.n)).toBe(2);
  });
});

describe('driverCardReading', () => {
  const record = {
    ...NO_MEASUREMENTS,
    tenant: 'org-1',
    deviceId: 'trk-1',
    seq: 1,
    ts: Date.UTC(2026, 10, 23, 6, 0),
    receivedAt: 0,
  };
  it('is the record’s card at its device time, in its session’s organisation', () => {
    expect(driverCardReading({ ...record, driverCardId: '01A2' })).toEqual({
      orgId: 'org-1',
      deviceId: 'trk-1',
      cardId: '01A2',
      at: new Date(record.ts),
    });
    expect(driverCardReading(record)).toBeUndefined();
  });
});
