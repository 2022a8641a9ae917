// A simulated vehicle and a fast TelemetryBatch encoder for the load generator.
//
// encodeTelemetryBatch of @fleet/proto validates every record and goes through protobufjs; at
// ~70 µs per 50-record batch it would cost the generator a large share of its core. This encoder
// writes the same wire bytes straight into a Buffer (~10x faster). checkEncoder() proves, at
// start-up, that its output is byte-identical to encodeTelemetryBatch for the same records and
// decodes back with the platform's decoder, so the bench always sends what a real device would.
import { decodeTelemetryBatch, encodeTelemetryBatch, type TelemetryInput } from '@fleet/proto';

const HELSINKI = { lat: 60.17, lon: 24.94 };
/** Vehicles turn back towards the centre beyond this distance (degrees of latitude, ~17 km). */
const MAX_RADIUS_DEG = 0.15;
const M_PER_DEG_LAT = 111_320;

/** One vehicle: its position and gauges move a little with every record (1 s of driving each). */
export interface Vehicle {
  seq: number;
  /** ts_ms of the last record; the next one is max(now, lastTs + 1), unique per device. */
  lastTs: number;
  lat: number;
  lon: number;
  speedKmh: number;
  headingDeg: number;
  altitudeM: number;
  hdop: number;
  satellites: number;
  ignition: boolean;
  odometerKm: number;
  fuelLevelPct: number;
  batteryV: number;
  externalV: number;
  engineRpm: number;
  coolantTempC: number;
}

export function newVehicle(index: number): Vehicle {
  const angle = (index * 137.5 * Math.PI) / 180;
  const r = MAX_RADIUS_DEG * 0.5 * Math.random();
  return {
    seq: 0,
    lastTs: 0,
    lat: HELSINKI.lat + r * Math.cos(angle),
    lon: HELSINKI.lon + (r * Math.sin(angle)) / Math.cos((HELSINKI.lat * Math.PI) / 180),
    speedKmh: 20 + Math.random() * 60,
    headingDeg: Math.random() * 360,
    altitudeM: 15 + Math.random() * 20,
    hdop: 0.9,
    satellites: 10,
    ignition: true,
    odometerKm: 20_000 + Math.random() * 200_000,
    fuelLevelPct: 30 + Math.random() * 70,
    batteryV: 4.1,
    externalV: 13.9,
    engineRpm: 1500,
    coolantTempC: 88,
  };
}

const DEG = Math.PI / 180;

/**
 * Advances the vehicle by one record (one simulated second) and stamps seq and ts. `cosLat` is
 * cos(latitude), refreshed by the caller once per batch (a batch moves a vehicle ~1 km).
 */
export function step(v: Vehicle, now: number, cosLat: number): void {
  v.seq += 1;
  v.lastTs = now > v.lastTs ? now : v.lastTs + 1;
  // Mostly driving, sometimes parked: ignition off below walking speed.
  let speed = v.speedKmh + (Math.random() - 0.5) * 6;
  speed = Math.min(110, Math.max(0, speed));
  v.speedKmh = speed;
  const ignition = speed > 1 || Math.random() < 0.5;
  v.ignition = ignition;
  let heading = v.headingDeg + (Math.random() - 0.5) * 10;
  const dLat = v.lat - HELSINKI.lat;
  const dLon = (v.lon - HELSINKI.lon) * cosLat;
  if (dLat * dLat + dLon * dLon > MAX_RADIUS_DEG * MAX_RADIUS_DEG) {
    heading = Math.atan2(-dLon, -dLat) / DEG; // back towards the centre
  }
  if (heading < 0) heading += 360;
  else if (heading >= 360) heading -= 360;
  v.headingDeg = heading;
  const metres = speed / 3.6;
  v.lat += (metres * Math.cos(heading * DEG)) / M_PER_DEG_LAT;
  v.lon += (metres * Math.sin(heading * DEG)) / (M_PER_DEG_LAT * cosLat);
  const r = Math.random();
  const alt = v.altitudeM + r - 0.5;
  v.altitudeM = Math.min(60, Math.max(0, alt));
  v.hdop = 0.7 + r * 0.8;
  v.satellites = 8 + ((r * 7) | 0);
  v.odometerKm += metres / 1000;
  v.fuelLevelPct -= metres * 0.00005;
  if (v.fuelLevelPct < 5) v.fuelLevelPct = 95; // refuelled
  v.externalV = ignition ? 13.8 + r * 0.4 : 12.4 + r * 0.2;
  v.engineRpm = ignition ? (750 + speed * 22 + r * 100) | 0 : 0;
  v.coolantTempC = ignition ? 85 + r * 10 : 40;
}

/** The record the vehicle is at now, as encodeTelemetryBatch input (for the self-check only). */
export function snapshot(v: Vehicle): TelemetryInput {
  return {
    seq: v.seq,
    tsMs: v.lastTs,
    lat: v.lat,
    lon: v.lon,
    speedKmh: v.speedKmh,
    headingDeg: v.headingDeg,
    altitudeM: v.altitudeM,
    hdop: v.hdop,
    satellites: v.satellites,
    ignition: v.ignition,
    odometerKm: v.odometerKm,
    fuelLevelPct: v.fuelLevelPct,
    batteryV: v.batteryV,
    externalV: v.externalV,
    engineRpm: v.engineRpm,
    coolantTempC: v.coolantTempC,
  };
}

// Wire format: tag = field << 3 | wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).
// Fields are written in field-number order, as protobufjs does.
const T_SEQ = (1 << 3) | 0;
const T_TS = (2 << 3) | 0;
const T_LAT = (3 << 3) | 1;
const T_LON = (4 << 3) | 1;
const T_SPEED = (5 << 3) | 5;
const T_HEADING = (6 << 3) | 5;
const T_ALT = (7 << 3) | 5;
const T_HDOP = (8 << 3) | 5;
const T_SATS = (9 << 3) | 0;
const T_IGNITION = (10 << 3) | 0;
const T_ODO = (11 << 3) | 1;
const T_FUEL = (13 << 3) | 5;
const T_BATTERY = (15 << 3) | 5;
const T_EXTERNAL = (16 << 3) | 5; // two-byte tags from field 16 on
const T_RPM = (17 << 3) | 0;
const T_COOLANT = (18 << 3) | 5;
const T_RECORDS = (1 << 3) | 2; // TelemetryBatch.records

function varintSize(v: number): number {
  if (v < 128) return 1;
  if (v < 16384) return 2;
  if (v < 2097152) return 3;
  if (v < 268435456) return 4;
  let n = 4;
  v = Math.floor(v / 268435456);
  while (v > 0) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Writes a non-negative integer below 2^53 as a varint. */
function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  if (v < 0x80000000) {
    while (v > 127) {
      buf[pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[pos++] = v;
    return pos;
  }
  let lo = v >>> 0;
  let hi = (v - lo) / 4294967296;
  while (hi > 0 || lo > 127) {
    buf[pos++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos++] = lo;
  return pos;
}

/** Byte size of one record body with its current values (excluding its own tag and length). */
function recordSize(v: Vehicle): number {
  return (
    1 +
    varintSize(v.seq) +
    1 +
    varintSize(v.lastTs) +
    (Object.is(v.lat, 0) ? 0 : 9) +
    (Object.is(v.lon, 0) ? 0 : 9) +
    (Object.is(v.speedKmh, 0) ? 0 : 5) +
    (Object.is(v.headingDeg, 0) ? 0 : 5) +
    5 +
    5 + // altitude, hdop
    1 +
    varintSize(v.satellites) +
    2 + // ignition
    9 + // odometer
    5 +
    5 + // fuel, battery
    2 +
    4 + // external (2-byte tag)
    2 +
    varintSize(v.engineRpm) +
    2 +
    4 // coolant
  );
}

// Float bytes go through a scratch typed array: much faster than Buffer.write{Double,Float}LE.
// Typed arrays use the platform's byte order; protobuf wants little-endian (x86, ARM).
const scratch = new ArrayBuffer(8);
const f64 = new Float64Array(scratch);
const f32 = new Float32Array(scratch);
const u8 = new Uint8Array(scratch);
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
  throw new Error('bench encoder needs little-endian');

function writeDouble(buf: Uint8Array, pos: number, value: number): number {
  f64[0] = value;
  buf[pos] = u8[0] as number;
  buf[pos + 1] = u8[1] as number;
  buf[pos + 2] = u8[2] as number;
  buf[pos + 3] = u8[3] as number;
  buf[pos + 4] = u8[4] as number;
  buf[pos + 5] = u8[5] as number;
  buf[pos + 6] = u8[6] as number;
  buf[pos + 7] = u8[7] as number;
  return pos + 8;
}

function writeFloat(buf: Uint8Array, pos: number, value: number): number {
  f32[0] = value;
  buf[pos] = u8[0] as number;
  buf[pos + 1] = u8[1] as number;
  buf[pos + 2] = u8[2] as number;
  buf[pos + 3] = u8[3] as number;
  return pos + 4;
}

function writeRecord(buf: Buffer, pos: number, v: Vehicle): number {
  pos = writeVarint(buf, pos, T_SEQ);
  pos = writeVarint(buf, pos, v.seq);
  buf[pos++] = T_TS;
  pos = writeVarint(buf, pos, v.lastTs);
  // proto3 implicit-presence fields: +0 is not written (what protobufjs does).
  if (!Object.is(v.lat, 0)) {
    buf[pos++] = T_LAT;
    pos = writeDouble(buf, pos, v.lat);
  }
  if (!Object.is(v.lon, 0)) {
    buf[pos++] = T_LON;
    pos = writeDouble(buf, pos, v.lon);
  }
  if (!Object.is(v.speedKmh, 0)) {
    buf[pos++] = T_SPEED;
    pos = writeFloat(buf, pos, v.speedKmh);
  }
  if (!Object.is(v.headingDeg, 0)) {
    buf[pos++] = T_HEADING;
    pos = writeFloat(buf, pos, v.headingDeg);
  }
  buf[pos++] = T_ALT;
  pos = writeFloat(buf, pos, v.altitudeM);
  buf[pos++] = T_HDOP;
  pos = writeFloat(buf, pos, v.hdop);
  buf[pos++] = T_SATS;
  pos = writeVarint(buf, pos, v.satellites);
  buf[pos++] = T_IGNITION;
  buf[pos++] = v.ignition ? 1 : 0;
  buf[pos++] = T_ODO;
  pos = writeDouble(buf, pos, v.odometerKm);
  buf[pos++] = T_FUEL;
  pos = writeFloat(buf, pos, v.fuelLevelPct);
  buf[pos++] = T_BATTERY;
  pos = writeFloat(buf, pos, v.batteryV);
  pos = writeVarint(buf, pos, T_EXTERNAL);
  pos = writeFloat(buf, pos, v.externalV);
  pos = writeVarint(buf, pos, T_RPM);
  pos = writeVarint(buf, pos, v.engineRpm);
  pos = writeVarint(buf, pos, T_COOLANT);
  pos = writeFloat(buf, pos, v.coolantTempC);
  return pos;
}

/** Largest record body: every varint at its widest. */
const MAX_RECORD_BYTES = 128;

/**
 * Advances the vehicle by `records` records stamped at `now` and returns them as one encoded
 * fleet.v1.TelemetryBatch. `onRecord`, when given, sees each record (the self-check uses it).
 */
export function nextBatch(
  v: Vehicle,
  records: number,
  now: number,
  onRecord?: (record: TelemetryInput) => void,
): Buffer {
  return encodeBatch(v, records, now, onRecord, undefined);
}

/** Where the patchable values of one record sit in an encoded batch. */
interface RecordLayout {
  seqAt: Int32Array;
  tsAt: Int32Array;
  /** -1 when the field is not on the wire (a +0 value). */
  latAt: Int32Array;
  lonAt: Int32Array;
  odoAt: Int32Array;
  lat: Float64Array;
  lon: Float64Array;
  odo: Float64Array;
}

function encodeBatch(
  v: Vehicle,
  records: number,
  now: number,
  onRecord: ((record: TelemetryInput) => void) | undefined,
  layout: RecordLayout | undefined,
): Buffer {
  const buf = Buffer.allocUnsafe(records * (MAX_RECORD_BYTES + 3));
  let pos = 0;
  const cosLat = Math.cos(v.lat * DEG);
  for (let i = 0; i < records; i++) {
    step(v, now, cosLat);
    if (onRecord) onRecord(snapshot(v));
    buf[pos++] = T_RECORDS;
    pos = writeVarint(buf, pos, recordSize(v));
    if (layout) {
      // Offsets follow the field order of writeRecord: seq tag (1 byte), then its value, ...
      layout.seqAt[i] = pos + 1;
      layout.tsAt[i] = pos + 1 + varintSize(v.seq) + 1;
      const latAt = pos + 1 + varintSize(v.seq) + 1 + varintSize(v.lastTs) + 1;
      layout.latAt[i] = Object.is(v.lat, 0) ? -1 : latAt;
      layout.lonAt[i] = Object.is(v.lon, 0) ? -1 : latAt + (Object.is(v.lat, 0) ? 0 : 9);
      layout.lat[i] = v.lat;
      layout.lon[i] = v.lon;
      layout.odo[i] = v.odometerKm;
    }
    pos = writeRecord(buf, pos, v);
    // The odometer value ends before fuel (5 bytes), battery (5), external (6), rpm and coolant (6).
    if (layout) layout.odoAt[i] = pos - 6 - (2 + varintSize(v.engineRpm)) - 6 - 5 - 5 - 8;
  }
  return buf.subarray(0, pos);
}

/**
 * A device's message source: every `reuse` messages one batch is simulated and encoded in full
 * (encodeBatch); the messages in between copy it and patch what must change per record: seq,
 * ts, and lat/lon/odometer moved on by the batch's displacement (the vehicle drives the same
 * wiggle again, shifted). Patching keeps every varint at its width, so the record lengths hold;
 * when a seq or ts would change width, the batch is encoded in full instead.
 */
export class BatchSource {
  readonly #v: Vehicle;
  readonly #records: number;
  readonly #reuse: number;
  #template: Buffer | undefined;
  #layout: RecordLayout;
  #uses = 0;
  #firstSeq = 0;
  #dLat = 0;
  #dLon = 0;
  #dOdo = 0;

  constructor(v: Vehicle, records: number, reuse = 16) {
    this.#v = v;
    this.#records = records;
    this.#reuse = reuse;
    this.#layout = {
      seqAt: new Int32Array(records),
      tsAt: new Int32Array(records),
      latAt: new Int32Array(records),
      lonAt: new Int32Array(records),
      odoAt: new Int32Array(records),
      lat: new Float64Array(records),
      lon: new Float64Array(records),
      odo: new Float64Array(records),
    };
  }

  get vehicle(): Vehicle {
    return this.#v;
  }

  get records(): number {
    return this.#records;
  }

  next(now: number): Buffer {
    const v = this.#v;
    const n = this.#records;
    const template = this.#template;
    const firstSeq = v.seq + 1;
    const firstTs = now > v.lastTs ? now : v.lastTs + 1;
    if (
      template === undefined ||
      this.#uses >= this.#reuse ||
      varintSize(firstSeq) !== varintSize(this.#firstSeq) ||
      varintSize(firstSeq + n - 1) !== varintSize(this.#firstSeq + n - 1) ||
      varintSize(firstTs) !== varintSize(firstTs + n) ||
      varintSize(firstTs) !== varintSize(v.lastTs)
    ) {
      return this.#fresh(now);
    }
    this.#uses++;
    const out = Buffer.allocUnsafe(template.length);
    template.copy(out);
    const L = this.#layout;
    const k = this.#uses;
    const dLat = this.#dLat * k;
    const dLon = this.#dLon * k;
    const dOdo = this.#dOdo * k;
    let ts = v.lastTs;
    for (let i = 0; i < n; i++) {
      ts = now > ts ? now : ts + 1;
      writeVarint(out, L.seqAt[i] as number, firstSeq + i);
      writeVarint(out, L.tsAt[i] as number, ts);
      const latAt = L.latAt[i] as number;
      if (latAt >= 0) writeDouble(out, latAt, (L.lat[i] as number) + dLat);
      const lonAt = L.lonAt[i] as number;
      if (lonAt >= 0) writeDouble(out, lonAt, (L.lon[i] as number) + dLon);
      writeDouble(out, L.odoAt[i] as number, (L.odo[i] as number) + dOdo);
    }
    v.seq = firstSeq + n - 1;
    v.lastTs = ts;
    v.lat = (L.lat[n - 1] as number) + dLat;
    v.lon = (L.lon[n - 1] as number) + dLon;
    v.odometerKm = (L.odo[n - 1] as number) + dOdo;
    return out;
  }

  #fresh(now: number): Buffer {
    const v = this.#v;
    const before = { lat: v.lat, lon: v.lon, odo: v.odometerKm };
    this.#firstSeq = v.seq + 1;
    const buf = encodeBatch(v, this.#records, now, undefined, this.#layout);
    // The displacement of one batch. Shifted copies that would take the vehicle out of the area
    // are not shifted (it idles over the same stretch until the next simulated batch turns it).
    const dLat = v.lat - before.lat;
    const dLon = v.lon - before.lon;
    const endLat = v.lat + dLat * this.#reuse - HELSINKI.lat;
    const endLon = (v.lon + dLon * this.#reuse - HELSINKI.lon) * Math.cos(v.lat * DEG);
    const leaving = endLat * endLat + endLon * endLon > MAX_RADIUS_DEG * MAX_RADIUS_DEG;
    this.#dLat = leaving ? 0 : dLat;
    this.#dLon = leaving ? 0 : dLon;
    this.#dOdo = v.odometerKm - before.odo;
    this.#template = buf;
    this.#uses = 0;
    return Buffer.from(buf); // the template stays private: mqtt.js keeps the payload until its PUBACK
  }
}

/**
 * Throws unless the fast encoder produces exactly the bytes of @fleet/proto's encodeTelemetryBatch
 * and the platform's decoder reads them back as the same records.
 */
export function checkEncoder(records = 50): void {
  const v = newVehicle(1);
  v.seq = 2 ** 40; // wide varints too
  v.speedKmh = -100; // parked: speed 0, which proto3 leaves off the wire
  v.headingDeg = 0;
  const inputs: TelemetryInput[] = [];
  const fast = nextBatch(v, records, Date.now(), (r) => inputs.push(r));
  const reference = encodeTelemetryBatch(inputs);
  if (Buffer.compare(fast, Buffer.from(reference)) !== 0) {
    throw new Error(
      `bench encoder differs from encodeTelemetryBatch (${fast.length} vs ${reference.length} bytes)`,
    );
  }
  const decoded = decodeTelemetryBatch(fast, { maxBytes: 1 << 24, maxRecords: records });
  if (!decoded.ok) throw new Error(`bench encoder output does not decode: ${decoded.detail}`);
  const first = decoded.value[0];
  if (decoded.value.length !== records || first?.seq !== inputs[0]?.seq || first?.tsMs !== inputs[0]?.tsMs) {
    throw new Error('bench encoder output decodes to different records');
  }

  // Patched batches: canonical (decode + re-encode gives the same bytes), seq consecutive, ts
  // strictly increasing, positions moving, across template refreshes and a seq width change.
  const source = new BatchSource(newVehicle(2), records, 4);
  source.vehicle.seq = 16384 - 3 * records;
  let lastSeq = source.vehicle.seq;
  let lastTs = 0;
  let lastLat = Number.NaN;
  let moved = 0;
  for (let m = 0; m < 12; m++) {
    const batch = source.next(Date.now() - 5);
    const d = decodeTelemetryBatch(batch, { maxBytes: 1 << 24, maxRecords: records });
    if (!d.ok) throw new Error(`patched batch ${m} does not decode: ${d.detail}`);
    if (Buffer.compare(Buffer.from(encodeTelemetryBatch(d.value)), batch) !== 0) {
      throw new Error(`patched batch ${m} is not the canonical encoding of its records`);
    }
    for (const r of d.value) {
      if (r.seq !== lastSeq + 1 || !(r.tsMs > lastTs)) throw new Error(`patched batch ${m}: bad seq/ts`);
      lastSeq = r.seq;
      lastTs = r.tsMs;
    }
    const lat = d.value.at(-1)?.lat ?? Number.NaN;
    if (lat !== lastLat) moved++;
    lastLat = lat;
  }
  // (Batches of many minutes of driving would leave the area when shifted, so they are not.)
  if (records <= 100 && moved < 6) throw new Error('patched batches: the vehicle does not move');
}
