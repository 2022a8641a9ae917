// Reading history back from the run's real QuestDB: tracks (order, gaps, bounds, tenant scope,
// simplification within tolerance, the point budget, SAMPLE BY decimation), GeoJSON and CSV,
// chart series with known aggregates, events, the live-state seed, and SQL-looking ids.
// Rows are written the way ingest writes them (its ILP encoder, POST /write), under random
// tenants, at recent device times (the tables' TTL counts back from now).
import { randomUUID } from 'node:crypto';
import { ensureSchema, eventLine, TABLES, telemetryLine } from '@fleet/ingest';
import { type DeviceEventRecord, NO_MEASUREMENTS, type TelemetryRecord } from '@fleet/shared';
import { QuestDbHttp, sqlString } from '@fleet/shared/questdb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  CHART_FIELDS,
  type ChartFieldName,
  chooseBucketMs,
  csvCell,
  readDeviceEvents,
  readLatestRecords,
  readTelemetrySeries,
  readTrack,
  type Track,
  type TrackPoint,
  trackToCsv,
  trackToGeoJson,
} from '../src/history.ts';

const questdbUrl = inject('questdbUrl');
const questdb = new QuestDbHttp(questdbUrl);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A whole hour a day ago: recent enough for any retention the suite sets. */
const T0 = Math.floor((Date.now() - DAY) / HOUR) * HOUR;

const tenantA = randomUUID();
const tenantB = randomUUID();
const deviceId = `dev-${randomUUID()}`;
const denseDevice = `dense-${randomUUID()}`;
const seriesDevice = `series-${randomUUID()}`;
const quotedDevice = `o'brien's van ${randomUUID()}`;

function record(
  tenant: string,
  device: string,
  seq: number,
  ts: number,
  values: Partial<TelemetryRecord>,
): TelemetryRecord {
  return { tenant, deviceId: device, seq, ts, receivedAt: ts + 250, ...NO_MEASUREMENTS, ...values };
}

function event(tenant: string, device: string, seq: number, ts: number, kind: string): DeviceEventRecord {
  return {
    tenant,
    deviceId: device,
    seq,
    ts,
    receivedAt: ts + 400,
    kind,
    lat: undefined,
    lon: undefined,
    speedKmh: undefined,
    peakG: undefined,
    buttonId: undefined,
    firmware: undefined,
    detail: '',
  };
}

async function write(lines: string[]): Promise<void> {
  const res = await fetch(`${questdbUrl}/write?precision=u`, { method: 'POST', body: lines.join('') });
  expect(res.status, await res.text()).toBe(204);
}

/** WAL tables apply commits asynchronously: wait until a tenant's rows are all visible. */
async function waitForRows(table: string, tenant: string, count: number): Promise<void> {
  const sql = `SELECT count() n FROM ${table} WHERE tenant = ${sqlString(tenant)}`;
  const deadline = Date.now() + 30_000;
  let seen: number | undefined;
  while (Date.now() < deadline) {
    seen = (await questdb.rows<{ n: number }>(sql))[0]?.n;
    if (seen === count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${table}: ${seen} rows of tenant ${tenant} visible, expected ${count}`);
}

// --- the data ---------------------------------------------------------------------------------

/** Ten fixes a second apart on one device; the 4th and 7th have no position, the 3rd no speed. */
const basic: TelemetryRecord[] = Array.from({ length: 10 }, (_, i) =>
  record(tenantA, deviceId, i + 1, T0 + i * SECOND, {
    lat: i === 3 || i === 6 ? undefined : (52_100_000 + i * 10) / 1e6,
    lon: i === 3 || i === 6 ? undefined : (13_400_000 + i * 20) / 1e6,
    speedKmh: i === 2 ? undefined : 30 + i,
    headingDeg: 45,
  }),
);

/** The same device id under another tenant, half a second later (ts, device_id is the dedup key). */
const otherTenant: TelemetryRecord[] = Array.from({ length: 5 }, (_, i) =>
  record(tenantB, deviceId, i + 1, T0 + i * SECOND + 500, {
    lat: -33.9 + i * 0.0001,
    lon: 18.4,
    speedKmh: 10,
  }),
);

/**
 * Five and a half hours at 1 Hz, 50 km/h: straights and bends of varying radius (a winding
 * road), in local metres around a starting point.
 */
const DENSE_POINTS = 20_000;
const dense: TelemetryRecord[] = (() => {
  const out: TelemetryRecord[] = [];
  let lat = 48.1;
  let lon = 11.5;
  let heading = 30;
  for (let i = 0; i < DENSE_POINTS; i++) {
    const phase = Math.floor(i / 300) % 4; // straight, left bend, straight, right bend
    heading += phase === 1 ? 1.5 + Math.sin(i / 40) : phase === 3 ? -(1 + Math.sin(i / 55)) : 0;
    const metres = 50 / 3.6;
    lat += (metres * Math.cos((heading * Math.PI) / 180)) / 111_195;
    lon += (metres * Math.sin((heading * Math.PI) / 180)) / (111_195 * Math.cos((lat * Math.PI) / 180));
    out.push(
      record(tenantA, denseDevice, i + 1, T0 + HOUR + i * SECOND, {
        lat: Math.round(lat * 1e6) / 1e6,
        lon: Math.round(lon * 1e6) / 1e6,
        speedKmh: 50,
        headingDeg: ((heading % 360) + 360) % 360,
      }),
    );
  }
  return out;
})();

/**
 * Known chart data, in minutes from T0 + 8 h: minute 0 speeds 10, 20, 30 (at 0, 20, 40 s);
 * minute 1 nothing; minute 2 speeds 50 and 70 with rpm 1000 and 3000.
 */
const SERIES_T0 = T0 + 8 * HOUR;
const seriesRows: TelemetryRecord[] = [
  record(tenantA, seriesDevice, 1, SERIES_T0, { speedKmh: 10, batteryV: 12.5 }),
  record(tenantA, seriesDevice, 2, SERIES_T0 + 20 * SECOND, { speedKmh: 20, batteryV: 12.25 }),
  record(tenantA, seriesDevice, 3, SERIES_T0 + 40 * SECOND, { speedKmh: 30, batteryV: 12 }),
  record(tenantA, seriesDevice, 4, SERIES_T0 + 2 * MINUTE, { speedKmh: 50, engineRpm: 1000 }),
  record(tenantA, seriesDevice, 5, SERIES_T0 + 2 * MINUTE + 30 * SECOND, { speedKmh: 70, engineRpm: 3000 }),
];

/** A 5 Hz burst: 500 fixes in 100 s, more than one a second. */
const fastDevice = `fast-${randomUUID()}`;
const FAST_T0 = T0 + 7 * HOUR;
const fast: TelemetryRecord[] = Array.from({ length: 500 }, (_, i) =>
  record(tenantA, fastDevice, i + 1, FAST_T0 + i * 200, {
    lat: (47_000_000 + i * 3) / 1e6,
    lon: (8_000_000 + i * 4) / 1e6,
  }),
);

const quoted: TelemetryRecord[] = [
  record(tenantA, quotedDevice, 1, T0 + 9 * HOUR, { lat: 51.5, lon: -0.12 }),
  record(tenantA, quotedDevice, 2, T0 + 9 * HOUR + SECOND, { lat: 51.5001, lon: -0.1201 }),
];

const EVENT_T0 = T0 + 10 * HOUR;
const KINDS = [
  'CONNECTED',
  'HARSH_BRAKING',
  'HARSH_ACCELERATION',
  'PANIC_BUTTON',
  'POWER_CUT',
  'DISCONNECTED',
];
const events: DeviceEventRecord[] = KINDS.map((kind, i) =>
  event(tenantA, deviceId, i + 1, EVENT_T0 + i * MINUTE, kind),
);
const detailedEvent: DeviceEventRecord = {
  ...event(tenantA, deviceId, 7, EVENT_T0 + 6 * MINUTE, 'HARSH_CORNERING'),
  lat: 52.2,
  lon: 13.3,
  speedKmh: 61.5,
  peakG: 0.75,
  buttonId: 2,
  firmware: '2.1.0-"beta", build 7',
  detail: "lateral 0.75 g, driver said 'sorry'",
};

beforeAll(async () => {
  await ensureSchema(questdb, 90);
  await write(
    [...basic, ...otherTenant, ...dense, ...fast, ...seriesRows, ...quoted]
      .map(telemetryLine)
      .concat(
        [...events, detailedEvent, event(tenantB, deviceId, 1, EVENT_T0 + 30 * SECOND, 'PANIC_BUTTON')].map(
          eventLine,
        ),
      ),
  );
  await waitForRows(
    TABLES.telemetry,
    tenantA,
    basic.length + dense.length + fast.length + seriesRows.length + quoted.length,
  );
  await waitForRows(TABLES.telemetry, tenantB, otherTenant.length);
  await waitForRows(TABLES.events, tenantA, events.length + 1);
  await waitForRows(TABLES.events, tenantB, 1);
});

const scopeA = { tenant: tenantA, deviceId };
const positioned = (rows: TelemetryRecord[]) =>
  rows.filter((r) => r.lat !== undefined && r.lon !== undefined);

// --- tracks -----------------------------------------------------------------------------------

describe('readTrack', () => {
  it('returns the positions in time order, skipping records without a position', async () => {
    const track = await readTrack(questdb, scopeA, { from: T0, to: T0 + MINUTE }, { toleranceM: 0 });
    const expected = positioned(basic).map((r) => ({
      ts: r.ts,
      lat: r.lat,
      lon: r.lon,
      speedKmh: r.speedKmh ?? null,
      headingDeg: 45,
    }));
    expect(track.points).toEqual(expected);
    expect(track).toMatchObject({ sourcePoints: 8, simplified: false, toleranceM: 0, sampleMs: null });
  });

  it('never returns another tenant’s rows for the same device id', async () => {
    const a = await readTrack(questdb, scopeA, { from: T0, to: T0 + MINUTE }, { toleranceM: 0 });
    expect(a.points.every((p) => p.lat > 50)).toBe(true);
    const b = await readTrack(
      questdb,
      { tenant: tenantB, deviceId },
      { from: T0, to: T0 + MINUTE },
      { toleranceM: 0 },
    );
    expect(b.points.map((p) => p.ts)).toEqual(otherTenant.map((r) => r.ts));
    expect(b.points.every((p) => p.lat < 0)).toBe(true);
  });

  it('includes `from` and excludes `to`', async () => {
    const track = await readTrack(
      questdb,
      scopeA,
      { from: T0 + SECOND, to: T0 + 5 * SECOND },
      { toleranceM: 0 },
    );
    // 1 s and 2 s are fixes, 3 s has none, 4 s is a fix, 5 s is the (excluded) end.
    expect(track.points.map((p) => p.ts - T0)).toEqual([1000, 2000, 4000]);
    const empty = await readTrack(questdb, scopeA, { from: T0 - HOUR, to: T0 });
    expect(empty).toEqual({ points: [], sourcePoints: 0, simplified: false, toleranceM: 5, sampleMs: null });
  });

  it('reads a long range whole and in order (it is fetched in concurrent slices)', async () => {
    const range = { from: T0 + HOUR, to: T0 + HOUR + DENSE_POINTS * SECOND };
    const track = await readTrack(questdb, { tenant: tenantA, deviceId: denseDevice }, range, {
      toleranceM: 0,
      maxPoints: Number.POSITIVE_INFINITY,
    });
    expect(track.simplified).toBe(false);
    expect(track.sampleMs).toBeNull();
    expect(track.points.map((p) => p.ts)).toEqual(dense.map((r) => r.ts));
    expect(track.points.map((p) => [p.lat, p.lon])).toEqual(dense.map((r) => [r.lat, r.lon]));
  });

  it('simplifies a long dense track: far fewer points, ends kept, every fix within the tolerance', async () => {
    const range = { from: T0 + HOUR, to: T0 + HOUR + DENSE_POINTS * SECOND };
    const track = await readTrack(questdb, { tenant: tenantA, deviceId: denseDevice }, range, {
      toleranceM: 5,
      maxPoints: 20_000,
    });
    expect(track.sourcePoints).toBe(DENSE_POINTS);
    expect(track.simplified).toBe(true);
    expect(track.toleranceM).toBe(5);
    expect(track.points.length).toBeLessThan(DENSE_POINTS / 10);
    expect(track.points.length).toBeGreaterThan(50);
    expect(track.points[0]?.ts).toBe(dense[0]?.ts);
    expect(track.points.at(-1)?.ts).toBe(dense.at(-1)?.ts);
    expect(maxDeviationM(dense, track.points)).toBeLessThanOrEqual(5 * 1.03 + 0.25);
  });

  it('raises the tolerance until the track fits the point budget', async () => {
    const range = { from: T0 + HOUR, to: T0 + HOUR + DENSE_POINTS * SECOND };
    const track = await readTrack(questdb, { tenant: tenantA, deviceId: denseDevice }, range, {
      maxPoints: 100,
    });
    expect(track.points.length).toBeLessThanOrEqual(100);
    expect(track.points.length).toBeGreaterThan(20);
    expect(track.toleranceM).toBeGreaterThan(5);
    expect(track.points[0]?.ts).toBe(dense[0]?.ts);
    expect(track.points.at(-1)?.ts).toBe(dense.at(-1)?.ts);
    expect(maxDeviationM(dense, track.points)).toBeLessThanOrEqual(track.toleranceM * 1.03 + 0.25);
  });

  it('decimates in SQL when the range holds more positions than maxSourceRows', async () => {
    const range = { from: T0 + HOUR, to: T0 + HOUR + DENSE_POINTS * SECOND };
    const track = await readTrack(questdb, { tenant: tenantA, deviceId: denseDevice }, range, {
      maxSourceRows: 2000,
      toleranceM: 0,
      maxPoints: Number.POSITIVE_INFINITY,
    });
    expect(track.sampleMs).toBe(10_000);
    // 20,000 s in whole 10 s buckets (the range starts on the hour), read in three slices.
    expect(track.sourcePoints).toBe(2000);
    const ts = track.points.map((p) => p.ts);
    expect(ts).toEqual([...ts].sort((x, y) => x - y));
    expect(ts[0]).toBe(dense[0]?.ts);
    // Each kept point is a real fix (the first of its bucket), not an average.
    const byTs = new Map(dense.map((r) => [r.ts, r]));
    for (const p of track.points) expect(p.lat).toBe(byTs.get(p.ts)?.lat);
  });

  it('decimates a device that reports faster than the range suggests', async () => {
    const range = { from: FAST_T0, to: FAST_T0 + 100 * SECOND };
    const track = await readTrack(questdb, { tenant: tenantA, deviceId: fastDevice }, range, {
      maxSourceRows: 200,
      toleranceM: 0,
      maxPoints: Number.POSITIVE_INFINITY,
    });
    // 100 s may hold 200 rows at 1 Hz, so the raw read is tried first; it finds 500.
    expect(track.sampleMs).toBe(500);
    expect(track.sourcePoints).toBe(200);
    expect(track.points.map((p) => p.ts)).toEqual(
      fast.filter((_, i) => i % 5 === 0 || i % 5 === 3).map((r) => r.ts),
    );
  });

  it('reads a device id holding quotes', async () => {
    const track = await readTrack(
      questdb,
      { tenant: tenantA, deviceId: quotedDevice },
      { from: T0 + 9 * HOUR, to: T0 + 10 * HOUR },
    );
    expect(track.points.map((p) => [p.lat, p.lon])).toEqual([
      [51.5, -0.12],
      [51.5001, -0.1201],
    ]);
  });

  it('rejects an invalid range or options before any query', async () => {
    await expect(readTrack(questdb, scopeA, { from: T0, to: T0 })).rejects.toThrow(RangeError);
    await expect(readTrack(questdb, scopeA, { from: T0 + 0.5, to: T0 + SECOND })).rejects.toThrow(RangeError);
    await expect(readTrack(questdb, scopeA, { from: -1, to: T0 })).rejects.toThrow(RangeError);
    await expect(readTrack(questdb, scopeA, { from: T0, to: T0 + 1 }, { maxPoints: 1 })).rejects.toThrow(
      RangeError,
    );
    await expect(readTrack(questdb, scopeA, { from: T0, to: T0 + 1 }, { toleranceM: -1 })).rejects.toThrow(
      RangeError,
    );
  });
});

/**
 * The largest distance (m) of any source fix from the simplified line: each fix is measured
 * against the segment of kept points around it in time. Local equirectangular metres.
 */
function maxDeviationM(source: TelemetryRecord[], kept: TrackPoint[]): number {
  const lat0 = ((source[0]?.lat ?? 0) * Math.PI) / 180;
  const xy = (lat: number, lon: number) => [lon * Math.cos(lat0) * 111_195, lat * 111_195] as const;
  let worst = 0;
  let seg = 0;
  for (const r of source) {
    while (seg < kept.length - 2 && (kept[seg + 1]?.ts ?? 0) < r.ts) seg++;
    const a = kept[seg];
    const b = kept[seg + 1];
    if (!a || !b || r.lat === undefined || r.lon === undefined) continue;
    const [px, py] = xy(r.lat, r.lon);
    const [ax, ay] = xy(a.lat, a.lon);
    const [bx, by] = xy(b.lat, b.lon);
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
    worst = Math.max(worst, Math.hypot(px - (ax + t * dx), py - (ay + t * dy)));
  }
  return worst;
}

// --- formats ----------------------------------------------------------------------------------

const sample: Track = {
  points: [
    { ts: Date.UTC(2025, 0, 2, 3, 4, 5, 6), lat: 52.123456, lon: 13.654321, speedKmh: 42.5, headingDeg: 90 },
    { ts: Date.UTC(2025, 0, 2, 3, 4, 6), lat: -33.9, lon: -18.4, speedKmh: null, headingDeg: null },
  ],
  sourcePoints: 7,
  simplified: true,
  toleranceM: 5,
  sampleMs: null,
};

describe('trackToGeoJson', () => {
  it('is a Feature with a LineString in lon,lat order and the times alongside', () => {
    const feature = trackToGeoJson(scopeA, sample);
    expect(feature).toEqual({
      type: 'Feature',
      geometry: {
        type: 'LineString',
        coordinates: [
          [13.654321, 52.123456],
          [-18.4, -33.9],
        ],
      },
      properties: {
        deviceId,
        timestamps: sample.points.map((p) => p.ts),
        speedsKmh: [42.5, null],
        headingsDeg: [90, null],
        sourcePoints: 7,
        simplified: true,
        toleranceM: 5,
        sampleMs: null,
      },
    });
    expect(JSON.parse(JSON.stringify(feature))).toEqual(feature);
  });

  it('one position is a Point, none is a null geometry (a LineString needs two)', () => {
    const one = trackToGeoJson(scopeA, { ...sample, points: sample.points.slice(0, 1) });
    expect(one.geometry).toEqual({ type: 'Point', coordinates: [13.654321, 52.123456] });
    const none = trackToGeoJson(scopeA, { ...sample, points: [] });
    expect(none.geometry).toBeNull();
    expect(none.properties.timestamps).toEqual([]);
  });
});

describe('trackToCsv', () => {
  it('has a header, ISO times, empty cells for nulls and CRLF line ends', () => {
    expect(trackToCsv(sample)).toBe(
      'ts,lat,lon,speed_kmh,heading_deg\r\n' +
        '2025-01-02T03:04:05.006Z,52.123456,13.654321,42.5,90\r\n' +
        '2025-01-02T03:04:06.000Z,-33.9,-18.4,,\r\n',
    );
    expect(trackToCsv({ ...sample, points: [] })).toBe('ts,lat,lon,speed_kmh,heading_deg\r\n');
  });

  it('quotes a device id per RFC 4180 and defuses spreadsheet formulas', () => {
    const csv = trackToCsv({ ...sample, points: sample.points.slice(0, 1) }, 'van "7", north');
    expect(csv).toBe(
      'device_id,ts,lat,lon,speed_kmh,heading_deg\r\n' +
        '"van ""7"", north",2025-01-02T03:04:05.006Z,52.123456,13.654321,42.5,90\r\n',
    );
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@sum')).toBe("'@sum");
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(-12.5)).toBe('-12.5');
    expect(csvCell(null)).toBe('');
  });
});

// --- chart series -----------------------------------------------------------------------------

describe('readTelemetrySeries', () => {
  const scope = { tenant: tenantA, deviceId: seriesDevice };

  it('gives avg, min and max per bucket, null for empty buckets, with units', async () => {
    const range = { from: SERIES_T0, to: SERIES_T0 + 3 * MINUTE };
    const series = await readTelemetrySeries(
      questdb,
      scope,
      range,
      ['speedKmh', 'engineRpm', 'batteryV', 'temperatureC'],
      MINUTE,
    );
    expect(series.from).toBe(range.from);
    expect(series.to).toBe(range.to);
    expect(series.bucketMs).toBe(MINUTE);
    expect(series.ts).toEqual([SERIES_T0, SERIES_T0 + MINUTE, SERIES_T0 + 2 * MINUTE]);
    expect(series.fields.speedKmh).toEqual({
      avg: [20, null, 60],
      min: [10, null, 50],
      max: [30, null, 70],
      unit: 'km/h',
    });
    expect(series.fields.engineRpm).toEqual({
      avg: [null, null, 2000],
      min: [null, null, 1000],
      max: [null, null, 3000],
      unit: 'rpm',
    });
    expect(series.fields.batteryV?.avg[0]).toBeCloseTo(12.25, 5);
    expect(series.fields.batteryV?.min[0]).toBeCloseTo(12, 5);
    expect(series.fields.batteryV?.max[0]).toBeCloseTo(12.5, 5);
    expect(series.fields.temperatureC).toEqual({
      avg: [null, null, null],
      min: [null, null, null],
      max: [null, null, null],
      unit: '°C',
    });
    expect(Object.keys(series.fields).sort()).toEqual(['batteryV', 'engineRpm', 'speedKmh', 'temperatureC']);
  });

  it('aligns buckets to whole multiples and aggregates only rows inside the range', async () => {
    // From 0:30 to 2:10: buckets start at 0:00, 1:00 and 2:00; only the 0:40 and 2:00 rows count.
    const range = { from: SERIES_T0 + 30 * SECOND, to: SERIES_T0 + 2 * MINUTE + 10 * SECOND };
    const series = await readTelemetrySeries(questdb, scope, range, ['speedKmh'], MINUTE);
    expect(series.ts).toEqual([SERIES_T0, SERIES_T0 + MINUTE, SERIES_T0 + 2 * MINUTE]);
    expect(series.fields.speedKmh?.avg).toEqual([30, null, 50]);
  });

  it('accepts only chartable fields, in the types and at run time', async () => {
    const range = { from: SERIES_T0, to: SERIES_T0 + 3 * MINUTE };
    // @ts-expect-error ignition is a flag, not a chart field
    const flag: ChartFieldName[] = ['ignition'];
    // @ts-expect-error not a field at all
    const unknown: ChartFieldName[] = ['nope'];
    // Callers parse strings from a query: the run time refuses them too.
    for (const fields of [flag, unknown, ['seq'] as unknown as ChartFieldName[]]) {
      await expect(readTelemetrySeries(questdb, scope, range, fields, MINUTE)).rejects.toThrow(RangeError);
    }
    expect(CHART_FIELDS).toContain('speedKmh');
    expect(CHART_FIELDS).toContain('engineRpm');
    for (const excluded of ['seq', 'lat', 'lon', 'headingDeg', 'ignition', 'dtcCodes', 'tamper']) {
      expect(CHART_FIELDS).not.toContain(excluded);
    }
  });

  it('refuses more buckets than it may answer', async () => {
    await expect(
      readTelemetrySeries(questdb, scope, { from: SERIES_T0, to: SERIES_T0 + DAY }, ['speedKmh'], SECOND),
    ).rejects.toThrow(RangeError);
  });
});

describe('chooseBucketMs', () => {
  it.each([
    [MINUTE, SECOND],
    [10 * MINUTE, 5 * SECOND],
    [HOUR, 10 * SECOND],
    [6 * HOUR, MINUTE],
    [DAY, 5 * MINUTE],
    [3 * DAY, 15 * MINUTE],
    [7 * DAY, HOUR],
    [31 * DAY, 6 * HOUR],
    [365 * DAY, DAY],
    [1000 * DAY, 2 * DAY],
  ])('a range of %i ms gets %i ms buckets', (span, bucket) => {
    expect(chooseBucketMs({ from: T0, to: T0 + span })).toBe(bucket);
    expect(Math.ceil(span / bucket)).toBeLessThanOrEqual(500);
  });

  it('honours a smaller bucket count', () => {
    expect(chooseBucketMs({ from: 0, to: DAY }, 24)).toBe(HOUR);
  });
});

// --- events -----------------------------------------------------------------------------------

describe('readDeviceEvents', () => {
  const range = { from: EVENT_T0, to: EVENT_T0 + HOUR };

  it('returns the newest first, at most `limit`', async () => {
    const rows = await readDeviceEvents(questdb, scopeA, range, 4);
    expect(rows.map((r) => r.kind)).toEqual(['HARSH_CORNERING', 'DISCONNECTED', 'POWER_CUT', 'PANIC_BUTTON']);
    expect(rows[0]).toEqual({
      ts: detailedEvent.ts,
      kind: 'HARSH_CORNERING',
      seq: 7,
      lat: 52.2,
      lon: 13.3,
      speedKmh: 61.5,
      peakG: 0.75,
      buttonId: 2,
      firmware: '2.1.0-"beta", build 7',
      detail: "lateral 0.75 g, driver said 'sorry'",
      receivedAt: detailedEvent.receivedAt,
    });
    expect(rows[1]).toEqual({
      ts: EVENT_T0 + 5 * MINUTE,
      kind: 'DISCONNECTED',
      seq: 6,
      lat: null,
      lon: null,
      speedKmh: null,
      peakG: null,
      buttonId: null,
      firmware: null,
      detail: '',
      receivedAt: EVENT_T0 + 5 * MINUTE + 400,
    });
  });

  it('keeps to the range and to the tenant', async () => {
    const rows = await readDeviceEvents(
      questdb,
      scopeA,
      { from: EVENT_T0 + MINUTE, to: EVENT_T0 + 3 * MINUTE },
      100,
    );
    expect(rows.map((r) => r.kind)).toEqual(['HARSH_ACCELERATION', 'HARSH_BRAKING']);
    const other = await readDeviceEvents(questdb, { tenant: tenantB, deviceId }, range, 100);
    expect(other.map((r) => r.kind)).toEqual(['PANIC_BUTTON']);
  });

  it('rejects a limit out of bounds', async () => {
    await expect(readDeviceEvents(questdb, scopeA, range, 0)).rejects.toThrow(RangeError);
    await expect(readDeviceEvents(questdb, scopeA, range, 1.5)).rejects.toThrow(RangeError);
    await expect(readDeviceEvents(questdb, scopeA, range, 1_000_000)).rejects.toThrow(RangeError);
  });
});

// --- live-state seed --------------------------------------------------------------------------

describe('readLatestRecords', () => {
  const tenant = randomUUID();
  const one = `latest-1-${randomUUID()}`;
  const two = `latest-2-${randomUUID()}`;
  const old = `latest-old-${randomUUID()}`;
  const newest = record(tenant, one, 3, T0 + 12 * HOUR, {
    speedKmh: 12.5,
    altitudeM: 120.5,
    satellites: 7,
    ignition: true,
    odometerKm: 123_456.7,
    batteryV: 12.75,
    engineRpm: 900,
    dtcCodes: ['P0300', 'P0171'],
    doorOpen: true,
  });
  const full = record(tenant, two, 9, T0 + 11 * HOUR, {
    lat: 48.137154,
    lon: 11.576124,
    speedKmh: 88.5,
    headingDeg: 270.5,
    altitudeM: 519,
    hdop: 0.75,
    satellites: 12,
    ignition: true,
    odometerKm: 10_500.25,
    engineHours: 812.5,
    fuelLevelPct: 62.5,
    fuelLevelL: 40.25,
    batteryV: 12.5,
    externalV: 13.75,
    engineRpm: 2100,
    coolantTempC: 90.5,
    engineLoadPct: 35.5,
    dtcCodes: ['U0100'],
    temperatureC: -4.5,
    doorOpen: true,
    ptoActive: true,
    tamper: true,
    driverCardId: '01:A2:B3 "quoted", \\ and more',
  });

  beforeAll(async () => {
    const rows = [
      record(tenant, one, 1, T0 + 10 * HOUR, { lat: 50, lon: 8, speedKmh: 40 }),
      record(tenant, one, 2, T0 + 11 * HOUR, { lat: 50.1, lon: 8.1, dtcCodes: ['P0420'] }),
      newest,
      full,
      record(tenant, old, 1, T0 - 10 * DAY, { lat: 40, lon: -3 }),
    ];
    await write(rows.map(telemetryLine));
    await waitForRows(TABLES.telemetry, tenant, rows.length);
  });

  it('returns the newest record of each device, with dtc codes as a list and undefined for nulls', async () => {
    const latest = (await readLatestRecords(questdb, T0 - DAY)).filter((r) => r.tenant === tenant);
    const byDevice = new Map(latest.map((r) => [r.deviceId, r]));
    expect([...byDevice.keys()].sort()).toEqual([one, two].sort());
    // BOOLEAN columns have no null in QuestDB: flags never sent come back false.
    expect(byDevice.get(one)).toEqual({ ...newest, ptoActive: false, tamper: false });
    expect(byDevice.get(one)?.lat).toBeUndefined();
    expect(byDevice.get(one)?.dtcCodes).toEqual(['P0300', 'P0171']);
    expect(byDevice.get(one)?.driverCardId).toBeUndefined();
    expect(byDevice.get(two)).toEqual(full);
    expect(byDevice.get(two)?.driverCardId).toBe(full.driverCardId);
  });

  it('looks back only as far as asked', async () => {
    const devices = (await readLatestRecords(questdb, T0 - 20 * DAY))
      .filter((r) => r.tenant === tenant)
      .map((r) => r.deviceId);
    expect(devices.sort()).toEqual([one, two, old].sort());
    const future = await readLatestRecords(questdb, T0 + 13 * HOUR);
    expect(future.filter((r) => r.tenant === tenant)).toEqual([]);
    await expect(readLatestRecords(questdb, Number.NaN)).rejects.toThrow(RangeError);
  });
});

// --- hostile ids ------------------------------------------------------------------------------

describe('SQL-looking tenants and device ids', () => {
  const hostile = [
    "x' or '1'='1",
    "' OR 1=1 --",
    `${deviceId}' or tenant != '`,
    "\\' or 1=1; drop table telemetry; --",
    `${deviceId}'; select * from telemetry where '1'='1`,
  ];
  const range = { from: T0, to: T0 + 11 * HOUR };

  it('cannot widen a query: nothing comes back, and nothing fails', async () => {
    for (const bad of hostile) {
      for (const scope of [
        { tenant: bad, deviceId },
        { tenant: tenantA, deviceId: bad },
      ]) {
        expect((await readTrack(questdb, scope, range)).points).toEqual([]);
        expect(await readDeviceEvents(questdb, scope, range, 100)).toEqual([]);
        const series = await readTelemetrySeries(questdb, scope, range, ['speedKmh'], HOUR);
        expect(series.fields.speedKmh?.avg.every((v) => v === null)).toBe(true);
      }
    }
    // The table is still there and still scoped.
    expect((await readTrack(questdb, scopeA, { from: T0, to: T0 + MINUTE })).sourcePoints).toBe(8);
  });
});
