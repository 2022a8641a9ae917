// Reading telemetry history back out of QuestDB: a device's track (simplified for long ranges),
// chart series (SAMPLE BY aggregates), device events, and the newest record of every device to
// seed the live state after a restart. Plain functions over QuestDbHttp; no HTTP of our own.
//
// QuestDB's REST API has no bind parameters, so every value that enters SQL here is either a
// validated integer (timestamps are written as microsecond integer literals) or a string quoted
// by sqlString. Both tenant and device id are in every WHERE: tenant isolation does not rest on
// device ids being unique.
import { EVENT_SELECT, eventFromRow, TABLES, TELEMETRY_SELECT, telemetryFromRow } from '@fleet/ingest';
import {
  type DeviceEventRecord,
  TELEMETRY_FIELDS,
  type TelemetryField,
  type TelemetryRecord,
} from '@fleet/shared';
import { type QuestDbHttp, sqlString } from '@fleet/shared/questdb';
import simplify from 'simplify-js';

export interface DeviceScope {
  tenant: string;
  deviceId: string;
}

/** One device's stretch of an asset's history: while it was installed there (ms, `to` exclusive). */
export interface DeviceWindow {
  deviceId: string;
  from: number;
  to: number;
}

/**
 * An asset's history: each installed device's rows inside its installation window only, so a
 * tracker moved to another van adds nothing of the other van to this one. Device ids come from
 * the domain database, and are quoted like any other string here.
 */
export interface AssetScope {
  tenant: string;
  windows: readonly DeviceWindow[];
}

export type HistoryScope = DeviceScope | AssetScope;

/** An asset with no installation in the range: nothing to ask QuestDB. */
function isEmptyScope(scope: HistoryScope): boolean {
  return 'windows' in scope && scope.windows.length === 0;
}

/** Milliseconds since the epoch, `from` inclusive, `to` exclusive. */
export interface TimeRange {
  from: number;
  to: number;
}

export interface TrackPoint {
  ts: number;
  lat: number;
  lon: number;
  speedKmh: number | null;
  headingDeg: number | null;
}

export interface Track {
  points: TrackPoint[];
  /** Positions read from QuestDB for the range (after `sampleMs` decimation, if any). */
  sourcePoints: number;
  /** True when Douglas-Peucker (or the point budget) dropped points. */
  simplified: boolean;
  /** The tolerance actually used: the requested one, raised as far as `maxPoints` needed. */
  toleranceM: number;
  /**
   * Null when every stored position was read. Otherwise the range held more than
   * `maxSourceRows` positions and only the first position of each `sampleMs` bucket was read.
   */
  sampleMs: number | null;
}

export interface TrackOptions {
  /** Point budget of the answer; the tolerance is raised until the track fits. */
  maxPoints?: number;
  /** Douglas-Peucker tolerance in metres; 0 keeps every point (within `maxPoints`). */
  toleranceM?: number;
  /** Most positions read from QuestDB before the query decimates with SAMPLE BY instead. */
  maxSourceRows?: number;
}

export const TRACK_DEFAULTS = {
  maxPoints: 5000,
  // GPS fixes scatter by a few metres; 5 m keeps every turn of a street visible.
  toleranceM: 5,
  // Just above one day at 1 Hz (86,400): a device-day is read whole, longer ranges decimated.
  maxSourceRows: 100_000,
} as const;

/** Most aligned buckets one series may have (the API's own limit, plus alignment slack). */
export const MAX_SERIES_BUCKETS = 10_000;
export const MAX_EVENTS_LIMIT = 10_000;

/** The latest ms a range may name: JavaScript's Date range; its microseconds fit QuestDB's long. */
const MAX_MS = 8_640_000_000_000_000;

function assertMs(name: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_MS) {
    throw new RangeError(`${name} must be an integer number of ms since the epoch, got ${ms}`);
  }
}

function assertRange(range: TimeRange): void {
  assertMs('from', range.from);
  assertMs('to', range.to);
  if (range.to <= range.from) throw new RangeError('to must be after from');
}

/**
 * A TIMESTAMP literal from integer ms: the microsecond integer, cast. Appending "000" keeps it
 * exact past 2^53 µs, and QuestDB still turns `ts >= X AND ts < Y` into an interval scan.
 */
function tsLiteral(ms: number): string {
  return `${ms}000::timestamp`;
}

function scopeWhere(scope: HistoryScope, range: TimeRange): string {
  if ('windows' in scope) {
    const windows = scope.windows.map((w) => {
      assertMs('window from', w.from);
      assertMs('window to', w.to);
      return `(device_id = ${sqlString(w.deviceId)} AND ts >= ${tsLiteral(w.from)} AND ts < ${tsLiteral(w.to)})`;
    });
    // The outer range stays a plain AND, so QuestDB still scans only its interval.
    return (
      `tenant = ${sqlString(scope.tenant)} AND ts >= ${tsLiteral(range.from)} AND ts < ${tsLiteral(range.to)} ` +
      `AND (${windows.join(' OR ')})`
    );
  }
  return (
    `tenant = ${sqlString(scope.tenant)} AND device_id = ${sqlString(scope.deviceId)} ` +
    `AND ts >= ${tsLiteral(range.from)} AND ts < ${tsLiteral(range.to)}`
  );
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

// ---------------------------------------------------------------------------------------------
// Track

/**
 * Positions travel as integers (µdeg, 0.1 km/h, whole degrees; ~0.11 m is far below GPS error):
 * QuestDB writes and JSON.parse reads integers twice as fast as doubles. One device-day (86,400
 * rows) over /exec JSON: ISO times and doubles 142 ms, integers 51 ms; /exp CSV of the same
 * integers 65 ms (parsing CSV in JS loses to JSON.parse). /exp?fmt=parquet would need a Parquet
 * decoder dependency and measured no better (42 ms with hyparquet) than sliced JSON below.
 */
const TRACK_VALUES = {
  lat: 'round(lat * 1e6)::int',
  lon: 'round(lon * 1e6)::int',
  speed: 'round(speed_kmh * 10)::int',
  heading: 'round(heading_deg)::int',
};

/** Concurrent range slices: QuestDB serialises one while Node parses another (51 -> 34 ms). */
const FETCH_SLICES = 3;
const HOUR_MS = 3_600_000;

type TrackRow = [ts: number, lat6: number, lon6: number, speed10: number | null, heading: number | null];

function rawTrackSql(scope: HistoryScope, range: TimeRange, limit: number): string {
  const v = TRACK_VALUES;
  return (
    `SELECT ts::long / 1000 t, ${v.lat} la, ${v.lon} lo, ${v.speed} s, ${v.heading} h FROM ${TABLES.telemetry} ` +
    `WHERE ${scopeWhere(scope, range)} AND lat != null AND lon != null LIMIT ${limit}`
  );
}

function sampledTrackSql(scope: HistoryScope, range: TimeRange, bucketMs: number): string {
  const inner =
    `SELECT ts, first(ts) ft, first(lat) lat, first(lon) lon, first(speed_kmh) speed_kmh, ` +
    `first(heading_deg) heading_deg FROM ${TABLES.telemetry} ` +
    `WHERE ${scopeWhere(scope, range)} AND lat != null AND lon != null SAMPLE BY ${bucketMs}T`;
  const v = TRACK_VALUES;
  return `SELECT ft::long / 1000 t, ${v.lat} la, ${v.lon} lo, ${v.speed} s, ${v.heading} h FROM (${inner})`;
}

/**
 * Up to FETCH_SLICES slices of at least an hour. With `align`, inner cuts fall on multiples of
 * it since the epoch, where SAMPLE BY (aligned to the calendar) starts its buckets: no bucket is
 * split between two slices.
 */
function slices(range: TimeRange, align = 1): TimeRange[] {
  const n = Math.max(1, Math.min(FETCH_SLICES, Math.floor((range.to - range.from) / HOUR_MS)));
  const out: TimeRange[] = [];
  let from = range.from;
  for (let k = 1; k < n; k++) {
    const cut = Math.ceil((range.from + ((range.to - range.from) * k) / n) / align) * align;
    if (cut <= from || cut >= range.to) continue;
    out.push({ from, to: cut });
    from = cut;
  }
  out.push({ from, to: range.to });
  return out;
}

async function fetchSlices(
  q: QuestDbHttp,
  ranges: TimeRange[],
  sql: (slice: TimeRange) => string,
): Promise<unknown[][][]> {
  return Promise.all(ranges.map(async (s) => (await q.exec(sql(s))).dataset));
}

async function fetchTrackRows(
  q: QuestDbHttp,
  scope: HistoryScope,
  range: TimeRange,
  maxSourceRows: number,
): Promise<{ rows: TrackRow[]; sampleMs: number | null }> {
  if (isEmptyScope(scope)) return { rows: [], sampleMs: null };
  // A range that could hold more than maxSourceRows positions at 1 Hz goes straight to SAMPLE BY;
  // a shorter one is read raw, and decimated only if the device reported faster than that.
  if ((range.to - range.from) / 1000 <= maxSourceRows) {
    const parts = await fetchSlices(q, slices(range), (s) => rawTrackSql(scope, s, maxSourceRows + 1));
    const total = parts.reduce((n, p) => n + p.length, 0);
    if (total <= maxSourceRows) return { rows: parts.flat() as TrackRow[], sampleMs: null };
  }
  const sampleMs = Math.max(1, Math.ceil((range.to - range.from) / maxSourceRows));
  const parts = await fetchSlices(q, slices(range, sampleMs), (s) => sampledTrackSql(scope, s, sampleMs));
  return { rows: parts.flat() as TrackRow[], sampleMs };
}

/** Reads a device's (or an asset's) positions in a range, oldest first, simplified to the options. */
export async function readTrack(
  q: QuestDbHttp,
  scope: HistoryScope,
  range: TimeRange,
  options: TrackOptions = {},
): Promise<Track> {
  assertRange(range);
  const maxPoints = options.maxPoints ?? TRACK_DEFAULTS.maxPoints;
  const toleranceM = options.toleranceM ?? TRACK_DEFAULTS.toleranceM;
  const maxSourceRows = options.maxSourceRows ?? TRACK_DEFAULTS.maxSourceRows;
  if (!(maxPoints >= 2)) throw new RangeError('maxPoints must be at least 2');
  if (!(Number.isFinite(toleranceM) && toleranceM >= 0)) throw new RangeError('toleranceM must be >= 0');
  if (!(Number.isSafeInteger(maxSourceRows) && maxSourceRows >= 1)) {
    throw new RangeError('maxSourceRows must be a positive integer');
  }

  const { rows, sampleMs } = await fetchTrackRows(q, scope, range, maxSourceRows);
  // Slices arrive in order and each is scanned in ts order; a check costs nothing.
  for (let i = 1; i < rows.length; i++) {
    if ((rows[i] as TrackRow)[0] < (rows[i - 1] as TrackRow)[0]) {
      rows.sort((a, b) => a[0] - b[0]);
      break;
    }
  }
  const kept = simplifyRows(rows, toleranceM, maxPoints);
  const points = kept.indices.map((i): TrackPoint => {
    const r = rows[i] as TrackRow;
    return {
      ts: r[0],
      lat: r[1] / 1e6,
      lon: r[2] / 1e6,
      speedKmh: r[3] === null ? null : r[3] / 10,
      headingDeg: r[4],
    };
  });
  return {
    points,
    sourcePoints: rows.length,
    simplified: points.length < rows.length,
    toleranceM: kept.toleranceM,
    sampleMs,
  };
}

/** A projected point; simplify-js returns the very objects it was given, so `i` survives. */
interface XY {
  x: number;
  y: number;
  i: number;
}

const M_PER_DEG = (6_371_008.8 * Math.PI) / 180;
/**
 * simplify-js recurses once per split: bounded chunks keep the stack shallow and the worst case
 * (a spiral: 300 ms for 86,400 points in one piece) near linear (13 ms). Chunk ends are kept.
 */
const DP_CHUNK = 4096;

/**
 * Lat/lon to local metres: equirectangular at the track's middle latitude, longitudes unwrapped
 * across the antimeridian. Within a few percent for any track one vehicle drives in days.
 */
function project(rows: readonly TrackRow[]): XY[] {
  let minLat = Number.POSITIVE_INFINITY;
  let maxLat = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    if (r[1] < minLat) minLat = r[1];
    if (r[1] > maxLat) maxLat = r[1];
  }
  const kx = Math.max(0.01, Math.cos(((minLat + maxLat) / 2e6) * (Math.PI / 180))) * M_PER_DEG;
  const out: XY[] = new Array(rows.length);
  let prevLon = rows.length > 0 ? (rows[0] as TrackRow)[2] / 1e6 : 0;
  let shift = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as TrackRow;
    let lon = r[2] / 1e6 + shift;
    if (lon - prevLon > 180) {
      shift -= 360;
      lon -= 360;
    } else if (lon - prevLon < -180) {
      shift += 360;
      lon += 360;
    }
    prevLon = lon;
    out[i] = { x: lon * kx, y: (r[1] / 1e6) * M_PER_DEG, i };
  }
  return out;
}

function douglasPeucker(xy: XY[], toleranceM: number): XY[] {
  // The cast is the library's contract: it returns a subset of the input objects.
  if (xy.length <= DP_CHUNK) return simplify(xy, toleranceM, true) as XY[];
  const out: XY[] = [];
  for (let start = 0; start < xy.length - 1; start += DP_CHUNK - 1) {
    const part = simplify(xy.slice(start, start + DP_CHUNK), toleranceM, true) as XY[];
    // Each chunk starts with the previous chunk's last point.
    out.push(...(out.length === 0 ? part : part.slice(1)));
  }
  return out;
}

/** Evenly spaced points, first and last kept: the last resort of the point budget. */
function stride(points: XY[], max: number): XY[] {
  const out: XY[] = [];
  for (let k = 0; k < max; k++) out.push(points[Math.round((k * (points.length - 1)) / (max - 1))] as XY);
  return out;
}

function simplifyRows(
  rows: readonly TrackRow[],
  toleranceM: number,
  maxPoints: number,
): { indices: number[]; toleranceM: number } {
  if (rows.length <= 2 || (toleranceM === 0 && rows.length <= maxPoints)) {
    return { indices: rows.map((_, i) => i), toleranceM };
  }
  const xy = project(rows);
  let tolerance = toleranceM;
  let kept = tolerance > 0 ? douglasPeucker(xy, tolerance) : xy;
  // Over budget: raise the tolerance and simplify the source again (~10 ms a pass for a
  // device-day). A point count falls roughly with the square root of the tolerance, so the
  // tolerance grows with the excess squared, plus a margin to make one more pass rare.
  // (Re-simplifying the simplified line instead is faster but adds up the tolerances: measured
  // 100 m instead of 19 m for the same budget.)
  for (let pass = 0; kept.length > maxPoints && pass < 16; pass++) {
    const excess = kept.length / maxPoints;
    tolerance = tolerance > 0 ? tolerance * Math.min(16, Math.max(1.25, 1.2 * excess * excess)) : 1;
    kept = douglasPeucker(xy, tolerance);
  }
  if (kept.length > maxPoints) kept = stride(kept, maxPoints);
  return { indices: kept.map((p) => p.i), toleranceM: tolerance };
}

// ---------------------------------------------------------------------------------------------
// Track formats

/** [longitude, latitude]: GeoJSON's order (RFC 7946), not the lat,lon of most maps' APIs. */
export type GeoJsonPosition = [lon: number, lat: number];

export interface TrackFeatureProperties {
  deviceId: string;
  /** ms since the epoch, one per coordinate. */
  timestamps: number[];
  speedsKmh: (number | null)[];
  headingsDeg: (number | null)[];
  sourcePoints: number;
  simplified: boolean;
  toleranceM: number;
  sampleMs: number | null;
}

export interface TrackFeature {
  type: 'Feature';
  /** A LineString needs two positions (RFC 7946): one point is a Point, none is null. */
  geometry:
    | { type: 'LineString'; coordinates: GeoJsonPosition[] }
    | { type: 'Point'; coordinates: GeoJsonPosition }
    | null;
  properties: TrackFeatureProperties;
}

export function trackToGeoJson(scope: DeviceScope, track: Track): TrackFeature {
  const coordinates = track.points.map((p): GeoJsonPosition => [p.lon, p.lat]);
  const first = coordinates[0];
  return {
    type: 'Feature',
    geometry:
      coordinates.length >= 2
        ? { type: 'LineString', coordinates }
        : first
          ? { type: 'Point', coordinates: first }
          : null,
    properties: {
      deviceId: scope.deviceId,
      timestamps: track.points.map((p) => p.ts),
      speedsKmh: track.points.map((p) => p.speedKmh),
      headingsDeg: track.points.map((p) => p.headingDeg),
      sourcePoints: track.sourcePoints,
      simplified: track.simplified,
      toleranceM: track.toleranceM,
      sampleMs: track.sampleMs,
    },
  };
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. Text that a
 * spreadsheet would run as a formula (= + - @ and tab/CR first) gets a leading apostrophe.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The track as CSV: a header line, CRLF line ends, ISO 8601 UTC times. With `deviceId`, a first
 * `device_id` column (so exports of several devices can be concatenated).
 */
export function trackToCsv(track: Track, deviceId?: string): string {
  const head = ['ts', 'lat', 'lon', 'speed_kmh', 'heading_deg'];
  const lines = [(deviceId === undefined ? head : ['device_id', ...head]).join(',')];
  const id = deviceId === undefined ? '' : `${csvCell(deviceId)},`;
  for (const p of track.points) {
    const cells = [new Date(p.ts).toISOString(), p.lat, p.lon, p.speedKmh, p.headingDeg];
    lines.push(id + cells.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// Chart series

/**
 * Numeric fields worth a chart. Not seq (a counter), not lat/lon (the track shows them) and not
 * headingDeg (an angle: the mean of 359 and 1 is not 180). Kept in line with the registry at
 * run time: a field that left TELEMETRY_FIELDS or is not numeric there is dropped.
 */
export type ChartFieldName =
  | 'speedKmh'
  | 'altitudeM'
  | 'hdop'
  | 'satellites'
  | 'odometerKm'
  | 'engineHours'
  | 'fuelLevelPct'
  | 'fuelLevelL'
  | 'batteryV'
  | 'externalV'
  | 'engineRpm'
  | 'coolantTempC'
  | 'engineLoadPct'
  | 'temperatureC';

const NUMERIC_TYPES: ReadonlySet<TelemetryField['type']> = new Set(['double', 'float', 'long', 'int']);
const NOT_CHARTED: ReadonlySet<string> = new Set(['seq', 'lat', 'lon', 'headingDeg']);
const CHART_TYPE_CHECK: Record<ChartFieldName, true> = {
  speedKmh: true,
  altitudeM: true,
  hdop: true,
  satellites: true,
  odometerKm: true,
  engineHours: true,
  fuelLevelPct: true,
  fuelLevelL: true,
  batteryV: true,
  externalV: true,
  engineRpm: true,
  coolantTempC: true,
  engineLoadPct: true,
  temperatureC: true,
};

export function isChartField(name: string): name is ChartFieldName {
  return Object.hasOwn(CHART_TYPE_CHECK, name);
}

/** Chartable fields in registry (storage) order. */
export const CHART_FIELDS: readonly ChartFieldName[] = TELEMETRY_FIELDS.filter(
  (f) => NUMERIC_TYPES.has(f.type) && !NOT_CHARTED.has(f.name),
)
  .map((f) => f.name)
  .filter(isChartField);

const FIELD_BY_NAME = new Map(TELEMETRY_FIELDS.map((f) => [f.name, f]));

export interface SeriesStats {
  avg: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
  unit: string;
}

export interface TelemetrySeries {
  /** The requested range. */
  from: number;
  to: number;
  bucketMs: number;
  /** Bucket start times (ms), every bucket from the one holding `from` to the one before `to`. */
  ts: number[];
  /** Parallel to `ts`; null where a bucket has no value. */
  fields: Record<string, SeriesStats>;
}

const BUCKET_LADDER_MS = [
  1000, 5000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000, 21_600_000, 86_400_000,
] as const;
const DAY_MS = 86_400_000;

/** The smallest of 1s, 5s, 10s, 30s, 1m, 5m, 15m, 1h, 6h, 1d (then whole days) giving <= maxBuckets. */
export function chooseBucketMs(range: TimeRange, maxBuckets = 500): number {
  const span = Math.max(1, range.to - range.from);
  for (const b of BUCKET_LADDER_MS) if (Math.ceil(span / b) <= maxBuckets) return b;
  return Math.ceil(span / maxBuckets / DAY_MS) * DAY_MS;
}

/**
 * avg, min and max of each field per bucket. Buckets are aligned to multiples of bucketMs since
 * the epoch (UTC: 5-minute buckets start at :00, :05...), so the first may start before `from`;
 * only rows inside the range are aggregated. Empty buckets are filled here, not by FILL(NULL):
 * QuestDB 9.3 repeated the last bucket past an unaligned TO.
 */
export async function readTelemetrySeries(
  q: QuestDbHttp,
  scope: HistoryScope,
  range: TimeRange,
  fields: readonly ChartFieldName[],
  bucketMs: number,
): Promise<TelemetrySeries> {
  assertRange(range);
  if (!Number.isSafeInteger(bucketMs) || bucketMs < 1)
    throw new RangeError('bucketMs must be a positive integer');
  const start = Math.floor(range.from / bucketMs) * bucketMs;
  const end = Math.ceil(range.to / bucketMs) * bucketMs;
  const buckets = (end - start) / bucketMs;
  if (buckets > MAX_SERIES_BUCKETS + 1) {
    throw new RangeError(`${buckets} buckets: at most ${MAX_SERIES_BUCKETS}, choose a larger bucket`);
  }
  const chosen = [...new Set(fields)].map((name) => {
    const field = FIELD_BY_NAME.get(name);
    // Callers pass strings from a query; the type alone does not stop one at run time.
    if (!field || !CHART_FIELDS.includes(name)) throw new RangeError(`not a chart field: ${name}`);
    return field;
  });

  const ts = Array.from({ length: buckets }, (_, k) => start + k * bucketMs);
  const out: Record<string, SeriesStats> = {};
  for (const f of chosen) {
    out[f.name] = {
      avg: new Array(buckets).fill(null),
      min: new Array(buckets).fill(null),
      max: new Array(buckets).fill(null),
      unit: f.unit,
    };
  }
  if (chosen.length === 0 || isEmptyScope(scope))
    return { from: range.from, to: range.to, bucketMs, ts, fields: out };

  const aggregates = chosen.map(
    (f, k) => `avg(${f.column}) a${k}, min(${f.column}) n${k}, max(${f.column}) x${k}`,
  );
  const sql =
    `SELECT ts, ${aggregates.join(', ')} FROM ${TABLES.telemetry} WHERE ${scopeWhere(scope, range)} ` +
    `SAMPLE BY ${bucketMs}T FROM ${tsLiteral(start)} TO ${tsLiteral(end)}`;
  const { dataset } = await q.exec(sql);
  for (const row of dataset) {
    const k = Math.round((Date.parse(String(row[0])) - start) / bucketMs);
    if (!(k >= 0 && k < buckets)) continue;
    chosen.forEach((f, j) => {
      const s = out[f.name] as SeriesStats;
      s.avg[k] = num(row[1 + j * 3]);
      s.min[k] = num(row[2 + j * 3]);
      s.max[k] = num(row[3 + j * 3]);
    });
  }
  return { from: range.from, to: range.to, bucketMs, ts, fields: out };
}

// ---------------------------------------------------------------------------------------------
// Events

export interface DeviceEventRow {
  ts: number;
  kind: string;
  seq: number;
  lat: number | null;
  lon: number | null;
  speedKmh: number | null;
  peakG: number | null;
  buttonId: number | null;
  firmware: string | null;
  detail: string;
  receivedAt: number;
}

/** A device's events in the range, newest first, at most `limit`. */
export async function readDeviceEvents(
  q: QuestDbHttp,
  scope: HistoryScope,
  range: TimeRange,
  limit: number,
): Promise<DeviceEventRow[]> {
  assertRange(range);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_EVENTS_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_EVENTS_LIMIT}`);
  }
  if (isEmptyScope(scope)) return [];
  // ORDER BY the designated timestamp DESC is a backward scan that stops at the limit.
  const sql =
    `SELECT ts::long / 1000 t, kind, seq, lat, lon, speed_kmh, peak_g, button_id, firmware, detail, ` +
    `received_at::long / 1000 r FROM ${TABLES.events} WHERE ${scopeWhere(scope, range)} ` +
    `ORDER BY ts DESC LIMIT ${limit}`;
  const { dataset } = await q.exec(sql);
  return dataset.map((r) => ({
    ts: num(r[0]) ?? 0,
    kind: str(r[1]) ?? '',
    seq: num(r[2]) ?? 0,
    lat: num(r[3]),
    lon: num(r[4]),
    speedKmh: num(r[5]),
    peakG: num(r[6]),
    buttonId: num(r[7]),
    firmware: str(r[8]),
    detail: str(r[9]) ?? '',
    receivedAt: num(r[10]) ?? num(r[0]) ?? 0,
  }));
}

// ---------------------------------------------------------------------------------------------
// Whole records (the rule preview)

/** Every device of an organisation (the equipment rules' preview reads the vehicles around). */
export interface OrganisationScope {
  tenant: string;
  everyDevice: true;
}

export interface StoredRecords {
  telemetry: TelemetryRecord[];
  events: DeviceEventRecord[];
  /** More than `limit` of either were stored in the range: only the earliest `limit` were read. */
  truncated: boolean;
}

/** Stored records and events as the pipeline stored them, oldest first, at most `limit` of each. */
export async function readStoredRecords(
  q: QuestDbHttp,
  scope: HistoryScope | OrganisationScope,
  range: TimeRange,
  limit: number,
): Promise<StoredRecords> {
  assertRange(range);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  if (!('everyDevice' in scope) && isEmptyScope(scope))
    return { telemetry: [], events: [], truncated: false };
  const where =
    'everyDevice' in scope
      ? `tenant = ${sqlString(scope.tenant)} AND ts >= ${tsLiteral(range.from)} AND ts < ${tsLiteral(range.to)}`
      : scopeWhere(scope, range);
  const [t, e] = await Promise.all([
    q.exec(
      `SELECT ${TELEMETRY_SELECT} FROM ${TABLES.telemetry} WHERE ${where} ORDER BY ts LIMIT ${limit + 1}`,
    ),
    q.exec(`SELECT ${EVENT_SELECT} FROM ${TABLES.events} WHERE ${where} ORDER BY ts LIMIT ${limit + 1}`),
  ]);
  const truncated = t.dataset.length > limit || e.dataset.length > limit;
  return {
    telemetry: t.dataset.slice(0, limit).map(telemetryFromRow),
    events: e.dataset.slice(0, limit).map(eventFromRow),
    truncated,
  };
}

// ---------------------------------------------------------------------------------------------
// Live state seed

/**
 * The newest record (by device time) of every device, all tenants, with device time >= sinceMs.
 * Partitioned by device_id alone, like the live state: QuestDB then knows how many values to
 * find and stops scanning back once it has them all (by tenant and device_id it read the whole
 * interval: 420 ms instead of 1 ms for 200 devices x 86,400 rows).
 * QuestDB BOOLEAN columns have no null: a flag the device never sent reads back as false.
 */
export async function readLatestRecords(q: QuestDbHttp, sinceMs: number): Promise<TelemetryRecord[]> {
  assertMs('sinceMs', sinceMs);
  const sql = `SELECT ${TELEMETRY_SELECT} FROM ${TABLES.telemetry} WHERE ts >= ${tsLiteral(sinceMs)} LATEST ON ts PARTITION BY device_id`;
  const { dataset } = await q.exec(sql);
  return dataset.map(telemetryFromRow);
}
