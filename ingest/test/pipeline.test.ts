// The ingest pipeline without a network: a group commit over a capturing transport, the
// in-memory live state and bus. Hostile payloads found by probing from outside, each pinned
// here, then generated payloads through the whole pipeline (decode, validate, rows, notice).
import {
  decodeCommand,
  encodeCommand,
  encodeDeviceEvent,
  encodeTelemetryBatch,
  type TelemetryInput,
} from '@fleet/proto';
import { hasControlCharacters, InProcessEventBus } from '@fleet/shared';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../test/fuzz.ts';
import {
  createIngestMetrics,
  createIngestPipeline,
  encodeRows,
  GroupCommitWriter,
  type IngestOutcome,
  InMemoryLiveState,
  RowsRefusedError,
  type StoredRow,
} from '../src/index.ts';

const SESSION = { tenant: 'org-1', deviceId: 'dev-1' };
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

function harness(
  options: { rejectRate?: number; rejectBurst?: number; refuse?: (row: StoredRow) => boolean } = {},
) {
  const committed: StoredRow[] = [];
  let clock = NOW;
  const writer = new GroupCommitWriter<StoredRow>(
    {
      async send(rows) {
        // The real transport's encoding runs too: a row it cannot write would throw here.
        encodeRows(rows);
        if (options.refuse && rows.some(options.refuse))
          throw new RowsRefusedError('QuestDB refused rows (400)');
        committed.push(...rows);
      },
    },
    { flushIntervalMs: 0, maxCommitRows: 100_000, maxInFlight: 1, maxPendingRows: 1_000_000, retryMaxMs: 10 },
  );
  const registry = new Registry();
  const bus = new InProcessEventBus();
  const pipeline = createIngestPipeline({
    writer,
    liveState: new InMemoryLiveState(),
    bus,
    metrics: createIngestMetrics(registry),
    policy: { maxFutureSkewMs: 300_000, maxAgeMs: 30 * 86_400_000 },
    limits: {
      maxPayloadBytes: 256 * 1024,
      maxRecordsPerBatch: 5000,
      rejectSampleBytes: 4096,
      deviceRejectRate: options.rejectRate ?? 2,
      deviceRejectBurst: options.rejectBurst ?? 20,
    },
    now: () => clock,
  });
  return {
    pipeline,
    committed,
    registry,
    bus,
    advance(ms: number) {
      clock += ms;
    },
    rejects: () => committed.flatMap((r) => (r.table === 'rejects' ? [r.reject] : [])),
  };
}

/** The notice the broker sends for an outcome, encoded and decoded as the device would. */
function noticeFor(outcome: IngestOutcome) {
  const bytes = encodeCommand({
    id: 'reject-1',
    tsMs: NOW,
    kind: 4,
    rejectReason: outcome.rejected[0]?.reason ?? '',
    rejectSeq: outcome.rejected.flatMap((r) => (r.seq === undefined ? [] : [r.seq])),
  });
  const decoded = decodeCommand(bytes, { maxBytes: 1 << 20 });
  if (!decoded.ok) throw new Error(decoded.detail);
  return decoded.value;
}

describe('hostile payloads found from outside', () => {
  it('a record with seq 2^64-1 and no ts_ms is refused and named exactly (13 bytes killed the platform)', async () => {
    const h = harness();
    // TelemetryBatch { records { seq: 18446744073709551615 } }: the reproduction's 13 bytes.
    const payload = new Uint8Array([
      0x0a, 0x0b, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
    expect(payload.length).toBe(13);
    const outcome = await h.pipeline.ingestTelemetry(SESSION, payload);
    expect(outcome).toEqual({
      stored: 0,
      rejected: [{ reason: 'seq_out_of_range', seq: '18446744073709551615' }],
    });
    const [row] = h.rejects();
    expect(row).toMatchObject({ reason: 'seq_out_of_range', seq: undefined, rejectedRecords: 1 });
    expect(row?.detail).toContain('18446744073709551615');
    // The notice carries the exact 64-bit value back to the device.
    expect(noticeFor(outcome).rejectSeq).toEqual(['18446744073709551615']);
  });

  it('seq 2^53 and above is refused (it was acknowledged and stored as NULL); 2^53-1 is stored', async () => {
    const h = harness();
    const big = 2 ** 53; // a JS number, but encoded by protobufjs as exactly 2^53
    const payload = encodeTelemetryBatch([{ seq: Number.MAX_SAFE_INTEGER, tsMs: NOW - 1000 }]);
    expect(await h.pipeline.ingestTelemetry(SESSION, payload)).toEqual({ stored: 1, rejected: [] });
    const over = batchWithSeq(big);
    const outcome = await h.pipeline.ingestTelemetry(SESSION, over);
    expect(outcome.rejected).toEqual([{ reason: 'seq_out_of_range', seq: '9007199254740992' }]);
    const stored = h.committed.flatMap((r) => (r.table === 'telemetry' ? [r.record.seq] : []));
    expect(stored).toEqual([Number.MAX_SAFE_INTEGER]);
  });

  it('2,000 empty records cost one reject row with a bounded sample, not 2,000 rows of 4 KB', async () => {
    const h = harness();
    const payload = new Uint8Array(4000);
    for (let i = 0; i < 4000; i += 2) payload.set([0x0a, 0x00], i); // 2,000 empty records
    const outcome = await h.pipeline.ingestTelemetry(SESSION, payload);
    expect(outcome.rejected).toHaveLength(2000);
    const rows = h.rejects();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      reason: 'seq_missing',
      rejectedRecords: 2000,
      reasons: 'seq_missing:2000',
      payloadBytes: 4000,
    });
    expect(rows[0]?.payloadSample.length).toBe(4000);
    expect(rows[0]?.detail).toMatch(/^2000 of 2000 records refused: seq_missing x2000 \(first: seq=0\)$/);
    const bytes = encodeRows(h.committed).byteLength;
    expect(bytes).toBeLessThan(6000 * 1.4 + 1000); // the sample in base64 plus one line
  });

  it('summarises mixed reasons, most frequent first, and stores the accepted records', async () => {
    const h = harness();
    const records: TelemetryInput[] = [
      { seq: 1, tsMs: NOW - 3000, lat: 60.1, lon: 24.9 },
      { seq: 2, tsMs: NOW + 86_400_000 },
      { seq: 3, tsMs: NOW + 86_400_000 * 2 },
      { seq: 4, tsMs: NOW - 2000, lat: 95, lon: 24.9 },
    ];
    const outcome = await h.pipeline.ingestTelemetry(SESSION, encodeTelemetryBatch(records));
    expect(outcome.stored).toBe(1);
    expect(outcome.rejected.map((r) => r.seq)).toEqual([2, 3, 4]);
    const [row] = h.rejects();
    expect(row).toMatchObject({ reason: 'ts_in_future', reasons: 'ts_in_future:2,out_of_range:1', seq: 2 });
    expect(row?.detail).toMatch(
      /^3 of 4 records refused: ts_in_future x2 .*; out_of_range x1 \(first: lat=95/,
    );
  });

  it('each device has a reject budget; rejects past it are counted and the next stored row says how many', async () => {
    const h = harness({ rejectRate: 1, rejectBurst: 5 });
    const garbage = new Uint8Array([0xff, 0xff, 0xff]);
    for (let i = 0; i < 50; i++) await h.pipeline.ingestTelemetry(SESSION, garbage);
    expect(h.rejects()).toHaveLength(5);
    const other = { tenant: 'org-1', deviceId: 'dev-2' };
    await h.pipeline.ingestTelemetry(other, garbage);
    expect(h.rejects().filter((r) => r.deviceId === 'dev-2')).toHaveLength(1);
    const metrics = await h.registry.getSingleMetricAsString('fleet_ingest_rejects_unstored_total');
    expect(metrics).toContain('fleet_ingest_rejects_unstored_total 45');
    h.advance(1000);
    await h.pipeline.ingestTelemetry(SESSION, garbage);
    const last = h
      .rejects()
      .filter((r) => r.deviceId === 'dev-1')
      .at(-1);
    expect(last?.unstoredBefore).toBe(45);
    // Every reject was counted by reason, stored or not.
    const byReason = await h.registry.getSingleMetricAsString('fleet_ingest_rejects_total');
    expect(byReason).toMatch(/fleet_ingest_rejects_total\{reason="malformed_protobuf"\} 52/);
  });

  it('a button id past the INT column (QuestDB refused the whole commit, forever) is refused first', async () => {
    const h = harness();
    const payload = encodeDeviceEvent({ seq: 9, tsMs: NOW - 1000, kind: 9, buttonId: 4294967295 });
    const outcome = await h.pipeline.ingestEvent(SESSION, payload);
    expect(outcome.rejected).toEqual([{ reason: 'out_of_range', seq: 9 }]);
    expect(h.rejects()[0]?.detail).toContain('buttonId=4294967295');
  });

  it('rows the store refuses anyway become a store_refused reject, and other devices are stored', async () => {
    const h = harness({ refuse: (row) => row.table === 'telemetry' && row.record.deviceId === 'dev-bad' });
    const bad = { tenant: 'org-1', deviceId: 'dev-bad' };
    const [a, b] = await Promise.all([
      h.pipeline.ingestTelemetry(bad, encodeTelemetryBatch([{ seq: 1, tsMs: NOW - 1000 }])),
      h.pipeline.ingestTelemetry(SESSION, encodeTelemetryBatch([{ seq: 1, tsMs: NOW - 1000 }])),
    ]);
    expect(a).toEqual({ stored: 0, rejected: [{ reason: 'store_refused', seq: undefined }] });
    expect(b).toEqual({ stored: 1, rejected: [] });
    expect(h.rejects()).toMatchObject([{ deviceId: 'dev-bad', reason: 'store_refused' }]);
  });

  it('control characters in device text are escaped before they reach storage or the bus', async () => {
    const h = harness();
    const payload = encodeDeviceEvent({
      seq: 7,
      tsMs: NOW - 1000,
      kind: 3,
      detail: 'door\u0000open\u001b[31m\ttab',
      firmware: 'fw\u0007',
    });
    const outcome = await h.pipeline.ingestEvent(SESSION, payload);
    expect(outcome.stored).toBe(1);
    const event = h.committed.find((r) => r.table === 'events');
    expect(event?.table === 'events' && event.event.detail).toBe('door\\u0000open\\u001b[31m\ttab');
    expect(event?.table === 'events' && event.event.firmware).toBe('fw\\u0007');
    expect(hasControlCharacters(encodeRows(h.committed).toString('utf8'))).toBe(false);
  });

  it('a driver card is stored and published trimmed; a card with control characters is refused like a bad DTC', async () => {
    const h = harness();
    const latest: (string | undefined)[] = [];
    h.bus.subscribe('latest', (r) => latest.push(r.driverCardId));
    const stored = await h.pipeline.ingestTelemetry(
      SESSION,
      encodeTelemetryBatch([
        { seq: 1, tsMs: NOW - 3000, lat: 60.17, lon: 24.94 },
        { seq: 2, tsMs: NOW - 2000, lat: 60.17, lon: 24.94, driverCardId: ' 01:A2:B3 ' },
      ]),
    );
    expect(stored).toEqual({ stored: 2, rejected: [] });
    const rows = h.committed.flatMap((r) => (r.table === 'telemetry' ? [r.record] : []));
    expect(rows.map((r) => r.driverCardId)).toEqual([undefined, '01:A2:B3']);
    expect(encodeRows(h.committed).toString('utf8')).toContain('driver_card_id="01:A2:B3"');
    expect(latest).toEqual(['01:A2:B3']);

    const refused = await h.pipeline.ingestTelemetry(
      SESSION,
      encodeTelemetryBatch([
        { seq: 3, tsMs: NOW - 1000, lat: 60.17, lon: 24.94, driverCardId: '01A2\u0000\u001b[2J' },
        { seq: 4, tsMs: NOW - 500, lat: 60.17, lon: 24.94, driverCardId: 'B0B' },
      ]),
    );
    expect(refused).toEqual({ stored: 1, rejected: [{ reason: 'driver_card_invalid', seq: 3 }] });
    expect(h.rejects()).toMatchObject([{ reason: 'driver_card_invalid', seq: 3, rejectedRecords: 1 }]);
    expect(h.rejects()[0]?.detail).toContain('\\u0000');
    expect(latest).toEqual(['01:A2:B3', 'B0B']);
    expect(hasControlCharacters(encodeRows(h.committed).toString('utf8'))).toBe(false);
  });
});

/** A batch whose one record has this seq, encoded by hand (the encoder refuses unsafe numbers). */
function batchWithSeq(seq: number): Uint8Array {
  const varint: number[] = [];
  let v = BigInt(seq);
  while (v >= 0x80n) {
    varint.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  varint.push(Number(v));
  const ts: number[] = [];
  let t = BigInt(NOW - 1000);
  while (t >= 0x80n) {
    ts.push(Number(t & 0x7fn) | 0x80);
    t >>= 7n;
  }
  ts.push(Number(t));
  const record = [0x08, ...varint, 0x10, ...ts];
  return new Uint8Array([0x0a, record.length, ...record]);
}

// ---------------------------------------------------------------------------------------------
// Generated payloads through the whole pipeline

const EXTREME_INTS = [0, -1, 1, 2 ** 31 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 63 - 1, 2 ** 64 - 1];
const EXTREME_FLOATS = [
  0,
  -0,
  -1,
  1e308,
  -1e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 53,
  5e-324,
];

/** A protobuf varint of any 64-bit value (as bigint), including those above 2^53. */
function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const int64 = fc.oneof(
  fc.constantFrom(...EXTREME_INTS.map((n) => BigInt(Math.trunc(n)))),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.constant(BigInt(NOW - 1000)),
);
const double = fc.oneof(fc.constantFrom(...EXTREME_FLOATS), fc.double());

/** One Telemetry record as raw fields: seq, ts and doubles at the field numbers of the schema. */
const rawRecord = fc
  .record({
    seq: fc.option(int64, { nil: undefined }),
    ts: fc.option(int64, { nil: undefined }),
    lat: fc.option(double, { nil: undefined }),
    lon: fc.option(double, { nil: undefined }),
    unknown: fc.option(fc.uint8Array({ maxLength: 16 }), { nil: undefined }),
  })
  .map((r) => {
    const bytes: number[] = [];
    if (r.seq !== undefined) bytes.push(0x08, ...varint(r.seq));
    if (r.ts !== undefined) bytes.push(0x10, ...varint(r.ts));
    for (const [tag, value] of [
      [0x19, r.lat],
      [0x21, r.lon],
    ] as const) {
      if (value === undefined) continue;
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, value, true);
      bytes.push(tag, ...b);
    }
    // An unknown field (number 99, length-delimited): a newer device's addition.
    if (r.unknown !== undefined) bytes.push(0x9a, 0x06, r.unknown.length, ...r.unknown);
    return bytes;
  });

const batch = fc.array(rawRecord, { maxLength: 20 }).map((records) => {
  const out: number[] = [];
  for (const r of records) out.push(0x0a, ...varint(BigInt(r.length)), ...r);
  return new Uint8Array(out);
});

/** Valid batches with one byte flipped, cut or inserted. */
const mutated = fc
  .tuple(batch, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'insert'))
  .map(([bytes, at, byte, how]) => {
    if (bytes.length === 0) return bytes;
    const i = at % bytes.length;
    if (how === 'flip') {
      const copy = bytes.slice();
      copy[i] = byte;
      return copy;
    }
    if (how === 'cut') return bytes.slice(0, i);
    return new Uint8Array([...bytes.slice(0, i), byte, ...bytes.slice(i)]);
  });

describe('generated payloads through decode, validate, store rows and the reject notice', () => {
  const { seed, runs } = fuzzParameters('ingest pipeline', 1500);

  it('never throws, stores or refuses every record, at most one reject row per payload, and the notice encodes', async () => {
    const h = harness({ rejectRate: 1e6, rejectBurst: 1e6 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 512 }), batch, mutated), async (payload) => {
        const before = h.committed.length;
        const outcome = await h.pipeline.ingestTelemetry(SESSION, payload);
        const rows = h.committed.slice(before);
        const rejectRows = rows.filter((r) => r.table === 'rejects');
        const telemetryRows = rows.filter((r) => r.table === 'telemetry');
        expect(telemetryRows).toHaveLength(outcome.stored);
        expect(rejectRows.length).toBe(outcome.rejected.length > 0 ? 1 : 0);
        for (const r of rejectRows) {
          if (r.table !== 'rejects') continue;
          expect(r.reject.payloadSample.length).toBeLessThanOrEqual(4096);
          expect(r.reject.detail.length).toBeLessThanOrEqual(1000);
          expect(r.reject.seq === undefined || Number.isSafeInteger(r.reject.seq)).toBe(true);
        }
        for (const r of telemetryRows) {
          if (r.table !== 'telemetry') continue;
          expect(Number.isSafeInteger(r.record.seq) && r.record.seq >= 1).toBe(true);
          expect(Number.isFinite(r.record.ts)).toBe(true);
        }
        // The notice the device gets back always encodes, with every refused seq exactly.
        if (outcome.rejected.length > 0) {
          const notice = noticeFor(outcome);
          expect(notice.rejectSeq.map(String)).toEqual(
            outcome.rejected.flatMap((r) => (r.seq === undefined ? [] : [String(r.seq)])),
          );
        }
      }),
      { seed, numRuns: runs },
    );
  });

  it('events: any bytes are stored as one event or one reject, never a throw', async () => {
    const h = harness({ rejectRate: 1e6, rejectBurst: 1e6 });
    const event = fc
      .record({
        seq: int64,
        ts: int64,
        kind: fc.integer({ min: -5, max: 300 }),
        detail: fc.string({ unit: 'binary', maxLength: 600 }),
        buttonId: fc.option(fc.oneof(fc.constantFrom(0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1), fc.nat()), {
          nil: undefined,
        }),
        peakG: fc.option(double, { nil: undefined }),
      })
      .map((e) => {
        const detail = new TextEncoder().encode(e.detail);
        const peakG = new Uint8Array(4);
        if (e.peakG !== undefined) new DataView(peakG.buffer).setFloat32(0, e.peakG, true);
        return new Uint8Array([
          ...(e.buttonId === undefined ? [] : [0x40, ...varint(BigInt(e.buttonId))]), // button_id = 8
          ...(e.peakG === undefined ? [] : [0x3d, ...peakG]), // peak_g = 7, fixed32
          0x08,
          ...varint(e.seq),
          0x10,
          ...varint(e.ts),
          0x18,
          ...varint(BigInt(e.kind)),
          0x52, // detail = 10, length-delimited
          ...varint(BigInt(detail.length)),
          ...detail,
        ]);
      });
    await fc.assert(
      fc.asyncProperty(fc.oneof(event, fc.uint8Array({ maxLength: 256 })), async (payload) => {
        const before = h.committed.length;
        const outcome = await h.pipeline.ingestEvent(SESSION, payload);
        const rows = h.committed.slice(before);
        expect(rows).toHaveLength(1);
        expect(outcome.stored + (outcome.rejected.length > 0 ? 1 : 0)).toBe(1);
        const text = encodeRows(rows).toString('utf8');
        expect(hasControlCharacters(text)).toBe(false);
        // What is stored fits its column: an INT button id, a finite float peak.
        for (const r of rows) {
          if (r.table !== 'events') continue;
          expect(
            r.event.buttonId === undefined || (r.event.buttonId >= 0 && r.event.buttonId < 2 ** 31),
          ).toBe(true);
          expect(r.event.peakG === undefined || Number.isFinite(r.event.peakG)).toBe(true);
        }
        if (outcome.rejected.length > 0) noticeFor(outcome);
      }),
      { seed: seed + 1, numRuns: runs },
    );
  });
});
