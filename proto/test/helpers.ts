// Shared helpers of the @fleet/proto tests.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import type { CommandMessage, DeviceEventMessage, TelemetryMessage } from '../src/index.ts';

export const PROTO_DIR = resolve(import.meta.dirname, '..');
export const REPO_DIR = resolve(PROTO_DIR, '..');
export const FIXTURES_DIR = join(PROTO_DIR, 'fixtures');

export function fixture(name: string): Uint8Array {
  // A plain Uint8Array (not a Buffer), as a decoder may see from any transport.
  return new Uint8Array(readFileSync(join(FIXTURES_DIR, name)));
}

/** A float32 value as the wire carries it (what protoc wrote for the text-format literal). */
export const f32 = Math.fround;

/** Small seeded PRNG (mulberry32); the fuzz tests are reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(random: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/**
 * Asserts that `actual` has exactly the keys of `expected` (so absent optional fields must be
 * absent, not undefined) and that every value is identical (Object.is: 0 and -0 differ, NaN
 * equals NaN; arrays element by element).
 */
function verifyExact(kind: string, actual: object, expected: object): void {
  expect(Object.getPrototypeOf(actual), `${kind} is a plain object`).toBe(Object.prototype);
  expect(Object.keys(actual).sort(), `${kind} keys`).toEqual(Object.keys(expected).sort());
  for (const [key, want] of Object.entries(expected)) {
    const got: unknown = (actual as Record<string, unknown>)[key];
    if (Array.isArray(want)) {
      expect(Array.isArray(got), `${kind}.${key} is an array`).toBe(true);
      expect(Object.getPrototypeOf(got), `${kind}.${key} is a plain array`).toBe(Array.prototype);
      const list = got as unknown[];
      expect(list.length, `${kind}.${key}.length`).toBe(want.length);
      want.forEach((w: unknown, i) => {
        expect(Object.is(list[i], w), `${kind}.${key}[${i}]: got ${String(list[i])}, want ${String(w)}`).toBe(
          true,
        );
      });
    } else {
      expect(typeof got, `${kind}.${key} type`).toBe(typeof want);
      expect(Object.is(got, want), `${kind}.${key}: got ${String(got)}, want ${String(want)}`).toBe(true);
    }
  }
}

export function verifyTelemetry(actual: TelemetryMessage | undefined, expected: TelemetryMessage): void {
  expect(actual).toBeDefined();
  if (actual) verifyExact(`Telemetry(seq ${expected.seq})`, actual, expected);
}

export function verifyDeviceEvent(actual: DeviceEventMessage, expected: DeviceEventMessage): void {
  verifyExact('DeviceEvent', actual, expected);
}

export function verifyCommand(actual: CommandMessage, expected: CommandMessage): void {
  verifyExact('Command', actual, expected);
}
