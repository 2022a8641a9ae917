// Untrusted input: the decoders must never throw, must refuse oversized and over-long input before
// decoding it, must not recurse on nested groups, and must not touch Object.prototype.
import $protobuf from 'protobufjs/minimal.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type DecodeFailureReason,
  type DecodeResult,
  decodeCommand,
  decodeDeviceEvent,
  decodeTelemetryBatch,
  encodeCommand,
  encodeDeviceEvent,
  encodeTelemetryBatch,
  fleet,
  MAX_GROUP_DEPTH,
  MESSAGE_FIELDS,
} from '../src/index.ts';
import { fixture, mulberry32, randomBytes } from './helpers.ts';

const LIMITS = { maxBytes: 1024 * 1024, maxRecords: 1000 };
const REASONS: readonly DecodeFailureReason[] = [
  'payload_too_large',
  'too_many_records',
  'malformed_protobuf',
  'nesting_too_deep',
];

type AnyDecoder = (bytes: Uint8Array) => DecodeResult<unknown>;
const DECODERS: [string, AnyDecoder][] = [
  ['decodeTelemetryBatch', (b) => decodeTelemetryBatch(b, LIMITS)],
  ['decodeDeviceEvent', (b) => decodeDeviceEvent(b, LIMITS)],
  ['decodeCommand', (b) => decodeCommand(b, LIMITS)],
];

function reasonOf(result: DecodeResult<unknown>): DecodeFailureReason | 'ok' {
  return result.ok ? 'ok' : result.reason;
}

function cat(...parts: (Uint8Array | number[])[]): Uint8Array {
  return new Uint8Array(parts.flatMap((p) => [...p]));
}

/** A varint as bytes. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** `depth` nested groups of field 1 (start tags, then matching end tags). */
function nestedGroups(depth: number, closed: boolean): Uint8Array {
  return new Uint8Array([...Array(depth).fill(0x0b), ...(closed ? Array(depth).fill(0x0c) : [])]);
}

/** A TelemetryBatch of `n` minimal (empty) records. */
function emptyRecords(n: number): Uint8Array {
  const out = new Uint8Array(2 * n);
  for (let i = 0; i < out.length; i += 2) out[i] = 0x0a;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sanity of successful results (types, plain data)

const TYPES: Record<string, Record<string, string>> = {
  Telemetry: Object.fromEntries(
    MESSAGE_FIELDS.Telemetry.map((f) => [
      f,
      f === 'dtcCodes'
        ? 'array'
        : f === 'driverCardId'
          ? 'string'
          : ['ignition', 'doorOpen', 'ptoActive', 'tamper'].includes(f)
            ? 'boolean'
            : 'number',
    ]),
  ),
  DeviceEvent: Object.fromEntries(
    MESSAGE_FIELDS.DeviceEvent.map((f) => [f, f === 'firmware' || f === 'detail' ? 'string' : 'number']),
  ),
  Command: Object.fromEntries(
    MESSAGE_FIELDS.Command.map((f) => [
      f,
      f === 'rejectSeq' ? 'array' : f === 'id' || f === 'rejectReason' ? 'string' : 'number',
    ]),
  ),
};

function assertPlain(kind: string, message: unknown): void {
  expect(typeof message).toBe('object');
  expect(Object.getPrototypeOf(message)).toBe(Object.prototype);
  const fields = TYPES[kind] ?? {};
  for (const [key, v] of Object.entries(message as object)) {
    const type = fields[key];
    expect(type, `${kind}.${key} is a known field`).toBeDefined();
    if (type === 'array') {
      expect(Array.isArray(v)).toBe(true);
      for (const item of v as unknown[]) expect(typeof item).toBe(kind === 'Telemetry' ? 'string' : 'number');
    } else {
      expect(typeof v, `${kind}.${key}`).toBe(type);
    }
  }
}

function assertSane(decoder: string, result: DecodeResult<unknown>): void {
  expect(typeof result.ok).toBe('boolean');
  if (!result.ok) {
    expect(REASONS).toContain(result.reason);
    expect(typeof result.detail).toBe('string');
    expect(result.detail.length).toBeGreaterThan(0);
    return;
  }
  if (decoder === 'decodeTelemetryBatch') {
    expect(Array.isArray(result.value)).toBe(true);
    for (const record of result.value as unknown[]) assertPlain('Telemetry', record);
  } else {
    assertPlain(decoder === 'decodeDeviceEvent' ? 'DeviceEvent' : 'Command', result.value);
  }
}

function callSafely(decode: AnyDecoder, bytes: Uint8Array): DecodeResult<unknown> {
  try {
    return decode(bytes);
  } catch (err) {
    throw new Error(`decoder threw on ${Buffer.from(bytes).toString('hex').slice(0, 200)}: ${String(err)}`);
  }
}

// ---------------------------------------------------------------------------------------------

describe('hand-built bad frames in proto/fixtures', () => {
  it.each([
    ['bad-truncated-record.bin', 'decodeTelemetryBatch', 'malformed_protobuf'],
    ['bad-length-prefix-overflow.bin', 'decodeTelemetryBatch', 'malformed_protobuf'],
    ['bad-random-bytes.bin', 'decodeTelemetryBatch', 'malformed_protobuf'],
    ['bad-random-bytes.bin', 'decodeDeviceEvent', 'malformed_protobuf'],
    ['bad-random-bytes.bin', 'decodeCommand', 'malformed_protobuf'],
    ['bad-nested-groups.bin', 'decodeTelemetryBatch', 'nesting_too_deep'],
    ['bad-nested-groups.bin', 'decodeDeviceEvent', 'nesting_too_deep'],
    ['bad-nested-groups.bin', 'decodeCommand', 'nesting_too_deep'],
    ['bad-invalid-utf8-command.bin', 'decodeCommand', 'malformed_protobuf'],
  ] as const)('%s with %s -> %s', (name, decoder, reason) => {
    const decode = DECODERS.find(([n]) => n === decoder)?.[1];
    if (!decode) throw new Error(decoder);
    const result = callSafely(decode, fixture(name));
    expect(reasonOf(result)).toBe(reason);
    assertSane(decoder, result);
  });
});

describe('malformed protobuf', () => {
  it('every truncation of every golden fixture is refused as malformed or decodes sanely', () => {
    const goldens: [string, AnyDecoder][] = [
      ['tracker-full.bin', (b) => decodeTelemetryBatch(b, LIMITS)],
      ['obd-minimal.bin', (b) => decodeTelemetryBatch(b, LIMITS)],
      ['equipment-tag.bin', (b) => decodeTelemetryBatch(b, LIMITS)],
      ['event-harsh-braking.bin', (b) => decodeDeviceEvent(b, LIMITS)],
      ['command-reject.bin', (b) => decodeCommand(b, LIMITS)],
    ];
    for (const [name, decode] of goldens) {
      const bytes = fixture(name);
      for (let cut = 1; cut < bytes.length; cut++) {
        const result = callSafely(decode, bytes.subarray(0, cut));
        // A cut may fall exactly between two top-level fields of an event or command, which is a
        // valid shorter message; a batch has one top-level field per record, so a batch cut is
        // valid only between records.
        if (result.ok) continue;
        expect(result.reason, `${name} cut at ${cut}`).toBe('malformed_protobuf');
      }
    }
  });

  it('a truncated batch from the encoder is malformed_protobuf', () => {
    const bytes = encodeTelemetryBatch([{ seq: 1, tsMs: Date.now(), lat: 60.17, lon: 24.94 }]);
    expect(reasonOf(decodeTelemetryBatch(bytes.subarray(0, 9), LIMITS))).toBe('malformed_protobuf');
    expect(reasonOf(decodeTelemetryBatch(bytes.subarray(0, bytes.length - 1), LIMITS))).toBe(
      'malformed_protobuf',
    );
  });

  it.each([
    ['field number 0', [0x00, 0x01]],
    ['wire type 6', [0x0e, 0x01]],
    ['wire type 7', [0x0f, 0x01]],
    ['an end-group tag without a start', [0x0c]],
    ['an unterminated group', [0x1b, 0x08, 0x01]],
    ['a group closed by another field', [0x1b, 0x24]],
    ['a varint longer than 10 bytes', [0x08, ...Array(11).fill(0xff), 0x01]],
    ['a length prefix beyond the buffer', [0x12, 0x05, 0x41]],
    ['a 2^32 - 1 length prefix', [0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]],
    ['a tag cut inside its varint', [0x80]],
    ['a fixed64 cut short', [0x19, 0x00, 0x00, 0x00]],
    ['a fixed32 cut short', [0x2d, 0x00]],
  ])('%s -> malformed_protobuf from every decoder', (_name, bytes) => {
    for (const [decoder, decode] of DECODERS) {
      const result = callSafely(decode, new Uint8Array(bytes));
      expect(reasonOf(result), decoder).toBe('malformed_protobuf');
      assertSane(decoder, result);
    }
  });

  it('invalid UTF-8 in a string field is malformed_protobuf', () => {
    const badUtf8 = [0xc3, 0x28];
    // Telemetry.dtc_codes (20) inside a record; DeviceEvent.detail (10); Command.reject_reason (5).
    const record = [0xa2, 0x01, 0x02, ...badUtf8];
    expect(reasonOf(decodeTelemetryBatch(cat([0x0a, record.length], record), LIMITS))).toBe(
      'malformed_protobuf',
    );
    expect(reasonOf(decodeDeviceEvent(cat([0x52, 0x02], badUtf8), LIMITS))).toBe('malformed_protobuf');
    expect(reasonOf(decodeCommand(cat([0x2a, 0x02], badUtf8), LIMITS))).toBe('malformed_protobuf');
  });

  it('non-Uint8Array input is refused, not thrown on', () => {
    for (const input of [null, undefined, 'abc', 42, {}, [0x08, 0x01], new ArrayBuffer(4)]) {
      for (const [decoder, decode] of DECODERS) {
        const result = callSafely(decode, input as unknown as Uint8Array);
        expect(reasonOf(result), `${decoder}(${String(input)})`).toBe('malformed_protobuf');
      }
    }
  });
});

describe('nesting', () => {
  it('10,000 nested group starts -> nesting_too_deep, without a stack overflow', () => {
    const bytes = nestedGroups(10_000, false);
    for (const [decoder, decode] of DECODERS) {
      const result = callSafely(decode, bytes);
      expect(reasonOf(result), decoder).toBe('nesting_too_deep');
    }
  });

  it('1,000,000 balanced nested groups -> nesting_too_deep quickly', () => {
    const bytes = nestedGroups(1_000_000, true);
    const started = performance.now();
    expect(reasonOf(decodeTelemetryBatch(bytes, { ...LIMITS, maxBytes: 4e6 }))).toBe('nesting_too_deep');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('deep groups inside a record are found too', () => {
    const inner = nestedGroups(5000, true);
    const batch = cat([0x0a, ...varint(inner.length)], inner);
    expect(reasonOf(decodeTelemetryBatch(batch, LIMITS))).toBe('nesting_too_deep');
  });

  it(`groups nested up to MAX_GROUP_DEPTH (${MAX_GROUP_DEPTH}) are skipped as unknown fields`, () => {
    const known = encodeTelemetryBatch([{ seq: 9, tsMs: 1000, lat: 1.5, lon: 2.5 }]);
    const ok = nestedGroups(MAX_GROUP_DEPTH, true);
    const tooDeep = nestedGroups(MAX_GROUP_DEPTH + 1, true);
    // At the top level of the batch (field 1 as a group, not a record) ...
    const top = decodeTelemetryBatch(cat(ok, known), LIMITS);
    expect(top).toEqual(decodeTelemetryBatch(known, LIMITS));
    expect(reasonOf(decodeTelemetryBatch(cat(tooDeep, known), LIMITS))).toBe('nesting_too_deep');
    // ... and inside a record (field 99 groups between its fields).
    const group99 = [...Array(3).fill([0x9b, 0x06]).flat(), ...Array(3).fill([0x9c, 0x06]).flat()];
    const record = [0x08, 0x09, ...group99, 0x10, 0xe8, 0x07];
    const result = decodeTelemetryBatch(cat([0x0a, record.length], record), LIMITS);
    expect(result).toEqual({
      ok: true,
      value: [{ seq: 9, tsMs: 1000, lat: 0, lon: 0, speedKmh: 0, headingDeg: 0, dtcCodes: [] }],
    });
  });
});

describe('size and record limits', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a batch of 100,000 records -> too_many_records quickly, before any record is decoded', () => {
    const decodeRecord = vi.spyOn(fleet.v1.Telemetry, 'decode');
    const bytes = emptyRecords(100_000);
    const started = performance.now();
    const result = decodeTelemetryBatch(bytes, { maxBytes: 1024 * 1024, maxRecords: 1000 });
    const elapsed = performance.now() - started;
    expect(reasonOf(result)).toBe('too_many_records');
    expect(decodeRecord).not.toHaveBeenCalled();
    expect(elapsed).toBeLessThan(100);
  });

  it('maxRecords is inclusive', () => {
    const at = decodeTelemetryBatch(emptyRecords(1000), LIMITS);
    expect(at.ok && at.value.length).toBe(1000);
    expect(reasonOf(decodeTelemetryBatch(emptyRecords(1001), LIMITS))).toBe('too_many_records');
    expect(reasonOf(decodeTelemetryBatch(emptyRecords(1), { ...LIMITS, maxRecords: 0 }))).toBe(
      'too_many_records',
    );
  });

  it('records inside groups or under other field numbers are not counted as records', () => {
    // 2,000 length-delimited entries of unknown field 2 and 1 real record.
    const unknown = Array(2000).fill([0x12, 0x00]).flat();
    const result = decodeTelemetryBatch(cat(unknown, [0x0a, 0x02, 0x08, 0x05]), LIMITS);
    expect(result.ok && result.value.map((r) => r.seq)).toEqual([5]);
  });

  it('payloads over maxBytes -> payload_too_large, checked before anything else', () => {
    const bytes = fixture('tracker-full.bin');
    expect(reasonOf(decodeTelemetryBatch(bytes, { maxBytes: bytes.length - 1, maxRecords: 1000 }))).toBe(
      'payload_too_large',
    );
    expect(reasonOf(decodeTelemetryBatch(bytes, { maxBytes: bytes.length, maxRecords: 1000 }))).toBe('ok');
    // Size wins over the content: oversized garbage is too large, not malformed.
    const garbage = nestedGroups(10_000, false);
    for (const [decoder, decode] of [
      [
        'decodeTelemetryBatch',
        (b: Uint8Array) => decodeTelemetryBatch(b, { maxBytes: 9999, maxRecords: 10 }),
      ],
      ['decodeDeviceEvent', (b: Uint8Array) => decodeDeviceEvent(b, { maxBytes: 9999 })],
      ['decodeCommand', (b: Uint8Array) => decodeCommand(b, { maxBytes: 9999 })],
    ] as const) {
      expect(reasonOf(decode(garbage)), decoder).toBe('payload_too_large');
    }
  });

  it('invalid limits fail closed', () => {
    const bytes = fixture('obd-minimal.bin');
    expect(reasonOf(decodeTelemetryBatch(bytes, { maxBytes: Number.NaN, maxRecords: 10 }))).toBe(
      'payload_too_large',
    );
    expect(reasonOf(decodeTelemetryBatch(bytes, { maxBytes: 1e6, maxRecords: Number.NaN }))).toBe(
      'too_many_records',
    );
    expect(reasonOf(decodeDeviceEvent(bytes, { maxBytes: -1 }))).toBe('payload_too_large');
  });
});

describe('random and mutated input (seeded)', () => {
  it('random bytes never throw and give ok:false or a sane ok:true', () => {
    const random = mulberry32(0xf1ee7);
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const bytes = randomBytes(random, Math.floor(random() * 96));
      for (const [decoder, decode] of DECODERS) {
        const result = callSafely(decode, bytes);
        assertSane(decoder, result);
        const key = `${decoder}:${reasonOf(result)}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    // Make sure the fuzzing reached both outcomes.
    expect(counts.get('decodeDeviceEvent:ok')).toBeGreaterThan(0);
    expect(counts.get('decodeTelemetryBatch:malformed_protobuf')).toBeGreaterThan(0);
  });

  it('mutations of valid frames never throw', () => {
    const random = mulberry32(42);
    const seeds: [string, AnyDecoder][] = [
      ['tracker-full.bin', (b) => decodeTelemetryBatch(b, LIMITS)],
      ['equipment-tag.bin', (b) => decodeTelemetryBatch(b, LIMITS)],
      ['event-harsh-braking.bin', (b) => decodeDeviceEvent(b, LIMITS)],
      ['command-reject.bin', (b) => decodeCommand(b, LIMITS)],
    ];
    const interesting = [0x00, 0x0b, 0x0c, 0x0f, 0x7f, 0x80, 0xff];
    let ok = 0;
    for (const [name, decode] of seeds) {
      const original = fixture(name);
      const decoder = name.startsWith('event')
        ? 'decodeDeviceEvent'
        : name.startsWith('command')
          ? 'decodeCommand'
          : 'decodeTelemetryBatch';
      for (let i = 0; i < 5000; i++) {
        const bytes = Uint8Array.from(original);
        const edits = 1 + Math.floor(random() * 4);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(random() * bytes.length);
          bytes[at] =
            random() < 0.5
              ? (interesting[Math.floor(random() * interesting.length)] ?? 0)
              : (bytes[at] ?? 0) ^ (1 << Math.floor(random() * 8));
        }
        const result = callSafely(decode, bytes);
        assertSane(decoder, result);
        if (result.ok) ok++;
      }
    }
    expect(ok).toBeGreaterThan(0);
  });
});

describe('plain data, no prototype pollution', () => {
  it('hostile input leaves Object.prototype and Array.prototype untouched', () => {
    const objectProps = Object.getOwnPropertyNames(Object.prototype).sort();
    const arrayProps = Object.getOwnPropertyNames(Array.prototype).sort();
    const hostile = [
      fixture('bad-nested-groups.bin'),
      fixture('bad-random-bytes.bin'),
      emptyRecords(5000),
      // Strings that look like property names, in every string field.
      encodeTelemetryBatch([{ seq: 1, tsMs: 1, dtcCodes: ['__proto__', 'constructor', 'prototype'] }]),
      encodeDeviceEvent({ seq: 1, tsMs: 1, kind: 9, firmware: '__proto__', detail: '{"__proto__":{"x":1}}' }),
      encodeCommand({ id: '__proto__', tsMs: 1, kind: 1, rejectReason: 'constructor' }),
    ];
    const random = mulberry32(7);
    for (let i = 0; i < 2000; i++) hostile.push(randomBytes(random, 64));
    for (const bytes of hostile) for (const [, decode] of DECODERS) callSafely(decode, bytes);

    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(objectProps);
    expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(arrayProps);
    const probe: Record<string, unknown> = {};
    expect(probe.x).toBeUndefined();
    expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
  });

  it('decoded values are plain JSON-able data without unknown fields, even if protobufjs keeps them', () => {
    const previous = $protobuf.Reader.discardUnknown;
    $protobuf.Reader.discardUnknown = false; // someone else in the process may flip this global
    try {
      // Record with seq 3 and an unknown varint field 99, then an unknown top-level field 7.
      const record = [0x08, 0x03, 0x98, 0x06, 0x01];
      const batch = decodeTelemetryBatch(cat([0x0a, record.length], record, [0x38, 0x01]), LIMITS);
      expect(batch.ok).toBe(true);
      if (!batch.ok) return;
      const [decoded] = batch.value;
      expect(decoded).toEqual({ seq: 3, tsMs: 0, lat: 0, lon: 0, speedKmh: 0, headingDeg: 0, dtcCodes: [] });
      expect(Object.getOwnPropertyNames(decoded)).not.toContain('$unknowns');
      expect(structuredClone(batch.value)).toEqual(batch.value);
      expect(JSON.parse(JSON.stringify(batch.value))).toEqual(batch.value);
    } finally {
      $protobuf.Reader.discardUnknown = previous;
    }
  });

  it('an empty payload is a valid empty batch / all-default message', () => {
    const empty = new Uint8Array(0);
    expect(decodeTelemetryBatch(empty, LIMITS)).toEqual({ ok: true, value: [] });
    expect(decodeDeviceEvent(empty, LIMITS)).toEqual({
      ok: true,
      value: { seq: 0, tsMs: 0, kind: 0, detail: '' },
    });
    expect(decodeCommand(empty, LIMITS)).toEqual({
      ok: true,
      value: { id: '', tsMs: 0, kind: 0, rejectSeq: [] },
    });
  });

  it('unknown enum values are kept as numbers', () => {
    const result = decodeDeviceEvent(new Uint8Array([0x08, 0x01, 0x18, 0x2a]), LIMITS);
    expect(result).toEqual({ ok: true, value: { seq: 1, tsMs: 0, kind: 42, detail: '' } });
  });
});
