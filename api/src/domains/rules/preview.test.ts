// The rule preview through the real API, QuestDB and database: a van's stored track published
// over MQTT, an unsaved rule and a saved one run over it with the episodes they would have raised
// (start, end, peak, fault code), nothing stored or streamed as a real alert, history of another
// asset and of another organisation out of reach, bad bodies refused with the field named,
// generated garbage never a 5xx, and roles.
import { randomUUID } from 'node:crypto';
import { encodeTelemetryBatch } from '@fleet/proto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';
import { connectDevice, waitForRows } from '../../../../test/support.ts';

let t: TestApi;
let van: string;
let quietVan: string;
let deviceId: string;
const run = randomUUID().slice(0, 6);
const MINUTE = 60_000;
// The track: two hours ago, 60 s at 50 km/h, 60 s at 118 (peak 131), 60 s at 50, and a fault
// code for the last minute.
const T0 = Math.floor((Date.now() - 2 * 60 * MINUTE) / 1000) * 1000;

interface Preview {
  assetId: string;
  from: string;
  to: string;
  records: number;
  truncated: boolean;
  alerts: {
    kind: string;
    severity: string;
    title: string;
    deviceId: string;
    assetId: string;
    startedAt: string;
    endedAt: string | null;
    lat: number | null;
    lon: number | null;
    details: Record<string, string | number | boolean | null>;
  }[];
  moreAlerts: number;
}
interface ErrorReply {
  error: { code: string; details?: { path: string; message: string }[] };
}

const manager = () => t.orgA.users.fleet_manager.token;
const range = {
  from: new Date(T0 - 10 * MINUTE).toISOString(),
  to: new Date(T0 + 20 * MINUTE).toISOString(),
};
const preview = (body: unknown, token = manager()) =>
  t.request<Preview & ErrorReply>('POST', '/api/v1/rules/preview', { token, body });

async function vehicle(name: string): Promise<string> {
  const res = await t.request<{ id: string }>('POST', '/api/v1/vehicles', {
    token: manager(),
    body: { name: `${name} ${run}` },
  });
  if (res.status !== 201) throw new Error(`vehicle: ${res.status} ${res.text}`);
  return res.body.id;
}

beforeAll(async () => {
  t = await startTestApi();
  van = await vehicle('Preview van');
  quietVan = await vehicle('Quiet van');
  const device = await t.orgA.provision();
  deviceId = device.id;
  const installed = await t.request('POST', `/api/v1/assets/${van}/installations`, {
    token: manager(),
    body: { deviceId, installedAt: new Date(T0 - 60 * MINUTE).toISOString() },
  });
  expect(installed.status, installed.text).toBe(201);
  const speed = (s: number) => (s < 60 ? 50 : s < 120 ? (s === 100 ? 131 : 118) : 50);
  const client = await connectDevice(t.platform.service.mqttPort, device);
  try {
    for (let batch = 0; batch < 3; batch++) {
      const records = Array.from({ length: 60 }, (_, i) => {
        const s = batch * 60 + i;
        return {
          seq: s + 1,
          tsMs: T0 + s * 1000,
          lat: 60.17 + s * 0.0002,
          lon: 24.94,
          speedKmh: speed(s),
          ignition: true,
          ...(s >= 120 ? { dtcCodes: ['P0301'] } : {}),
        };
      });
      await client.publishAsync(`devices/${deviceId}/telemetry`, Buffer.from(encodeTelemetryBatch(records)), {
        qos: 1,
      });
    }
  } finally {
    await client.endAsync();
  }
  await waitForRows(t.platform.questdb, `select ts from telemetry where device_id = '${deviceId}'`, 180);
}, 60_000);
afterAll(() => t?.close());

describe('POST /api/v1/rules/preview', () => {
  it('runs an unsaved rule over the stored track: the episode with its start, end and peak', async () => {
    const res = await preview({
      rule: { kind: 'overspeed', params: { limitKmh: 90, minDurationS: 20, clearDelayS: 5 } },
      assetId: van,
      ...range,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.records).toBe(180);
    expect(res.body.truncated).toBe(false);
    expect(res.body.alerts).toHaveLength(1);
    const [alert] = res.body.alerts;
    expect(alert?.kind).toBe('overspeed');
    expect(alert?.assetId).toBe(van);
    expect(alert?.deviceId).toBe(deviceId);
    expect(Date.parse(alert?.startedAt ?? '')).toBe(T0 + 60_000);
    expect(Date.parse(alert?.endedAt ?? '')).toBe(T0 + 120_000);
    expect(alert?.details.peakKmh).toBe(131);
    expect(alert?.lat).toBeCloseTo(60.17 + 60 * 0.0002, 6);
  });

  it('raises no real alert: nothing is stored', async () => {
    await preview({
      rule: { kind: 'overspeed', params: { limitKmh: 90, minDurationS: 20 } },
      assetId: van,
      ...range,
    });
    const rows = await t.platform.db.query<{ n: string | number }>(
      'select count(*) as n from alerts where org_id = $1 and device_id = $2',
      [t.orgA.id, deviceId],
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('runs a saved rule by id: the fault code with its description', async () => {
    const created = await t.request<{ id: string }>('POST', '/api/v1/rules', {
      token: manager(),
      body: { name: `Faults ${run}`, kind: 'engine_fault', severity: 'critical' },
    });
    expect(created.status, created.text).toBe(201);
    const res = await preview({ ruleId: created.body.id, assetId: van, ...range });
    expect(res.status, res.text).toBe(200);
    expect(res.body.alerts.map((a) => [a.kind, a.severity, a.details.code])).toEqual([
      ['engine_fault', 'critical', 'P0301'],
    ]);
    expect(Date.parse(res.body.alerts[0]?.startedAt ?? '')).toBe(T0 + 120_000);
  });

  it('a limit above every speed raises nothing; an asset without history answers no records', async () => {
    const high = await preview({
      rule: { kind: 'overspeed', params: { limitKmh: 140 } },
      assetId: van,
      ...range,
    });
    expect(high.status, high.text).toBe(200);
    expect(high.body.alerts).toEqual([]);
    const quiet = await preview({ rule: { kind: 'overspeed' }, assetId: quietVan, ...range });
    expect(quiet.status, quiet.text).toBe(200);
    expect(quiet.body.records).toBe(0);
    expect(quiet.body.alerts).toEqual([]);
  });

  it('refuses bad bodies with the field named', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ assetId: van, ...range }, 'body.rule', /either rule or ruleId/],
      [{ rule: { kind: 'overspeed' }, ruleId: randomUUID(), assetId: van, ...range }, 'body.rule', /either/],
      [{ rule: { kind: 'teleport' }, assetId: van, ...range }, 'body.rule.kind', /kind is one of/],
      [
        { rule: { kind: 'overspeed', params: { limitKmh: -5 } }, assetId: van, ...range },
        'body.rule.params.limitKmh',
        /at least/,
      ],
      [
        {
          rule: { kind: 'overspeed' },
          assetId: van,
          from: range.from,
          to: new Date(Date.parse(range.from) + 8 * 86_400_000).toISOString(),
        },
        'body.to',
        /at most 7 days/,
      ],
      [
        { rule: { kind: 'overspeed' }, assetId: van, from: range.to, to: range.from },
        'body.to',
        /after from/,
      ],
      [{ rule: { kind: 'overspeed' }, assetId: 'van-1', ...range }, 'body.assetId', /asset id/],
      [
        { rule: { kind: 'overspeed' }, assetId: van, from: 'yesterday', to: range.to },
        'body.from',
        /ISO 8601/,
      ],
    ];
    for (const [body, path, message] of cases) {
      const res = await preview(body);
      expect(res.status, `${JSON.stringify(body)}: ${res.text}`).toBe(400);
      const detail = res.body.error.details?.find((d) => d.path === path);
      expect(detail?.message, `${path} in ${res.text}`).toMatch(message);
    }
  });

  it('another organisation’s asset or rule is a 404, and so is an unknown one', async () => {
    const other = await preview(
      { rule: { kind: 'overspeed' }, assetId: van, ...range },
      t.orgB.users.admin.token,
    );
    expect(other.status).toBe(404);
    const unknown = await preview({ rule: { kind: 'overspeed' }, assetId: randomUUID(), ...range });
    expect(unknown.status).toBe(404);
    const rule = await t.request<{ id: string }>('POST', '/api/v1/rules', {
      token: t.orgB.users.admin.token,
      body: { name: `B speeding ${run}`, kind: 'overspeed' },
    });
    expect(rule.status, rule.text).toBe(201);
    const foreignRule = await preview({ ruleId: rule.body.id, assetId: van, ...range });
    expect(foreignRule.status).toBe(404);
  });

  it('only those who manage rules may preview them', async () => {
    const body = { rule: { kind: 'overspeed' }, assetId: van, ...range };
    for (const role of ['viewer', 'mechanic'] as const) {
      const res = await preview(body, t.orgA.users[role].token);
      expect(res.status, role).toBe(403);
    }
    for (const role of ['admin', 'dispatcher'] as const) {
      const res = await preview(body, t.orgA.users[role].token);
      expect(res.status, role).toBe(200);
    }
  });

  it('generated bodies are answered 200, 400 or 404, never a 5xx', async () => {
    const kinds = fc.constantFrom(
      'overspeed',
      'idling',
      'offline',
      'geofence_enter',
      'engine_fault',
      'nope',
      3,
    );
    const body = fc.record(
      {
        rule: fc.oneof(
          fc.record({ kind: kinds, params: fc.dictionary(fc.string(), fc.jsonValue()) }),
          fc.jsonValue(),
        ),
        ruleId: fc.oneof(fc.uuid(), fc.string()),
        assetId: fc.oneof(fc.constant(van), fc.uuid(), fc.string()),
        from: fc.oneof(
          fc.constant(range.from),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
        ),
        to: fc.oneof(fc.constant(range.to), fc.string(), fc.integer()),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await preview(b);
        expect([200, 400, 404], res.text).toContain(res.status);
      }),
      { numRuns: 150, seed: 12_012 },
    );
  });
});
