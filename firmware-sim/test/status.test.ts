import { describe, expect, it } from 'vitest';
import type { RuntimeStats } from '../src/runtime/index.ts';
import {
  fleetStatusRecordSchema,
  formatStatusLine,
  type StatusSource,
  startStatusReporter,
} from '../src/runtime/index.ts';
import { zeroCounters } from '../src/runtime/types.ts';

function snapshot(atMs: number, over: Partial<RuntimeStats> = {}): RuntimeStats {
  return {
    ...zeroCounters(),
    devices: 10,
    states: { idle: 0, offline: 0, waiting: 1, queued: 0, connecting: 0, online: 9, stopped: 0 },
    connected: 9,
    unacked: 3,
    buffered: 0,
    deviceTimeMs: atMs,
    timeCompression: 1,
    tickLagMs: 0,
    connectWindow: 64,
    outboxCapacity: 100,
    atMs,
    ...over,
  };
}

describe('status line', () => {
  it('shows rates from two snapshots and the PUBACK latency of the interval', () => {
    const prev = snapshot(0, { messages: 100, acks: 90, records: 100 });
    const now = snapshot(2000, { messages: 300, acks: 290, records: 300 });
    const line = formatStatusLine(now, prev, {
      count: 200,
      p50: 12,
      p90: 20,
      p99: 48,
      p999: 50,
      max: 51,
      mean: 14,
    });
    expect(line).toContain('devices 9/10 connected');
    expect(line).toContain('100 msg/s');
    expect(line).toContain('100 acks/s');
    expect(line).toContain('ack p50/p99 12/48 ms');
    expect(line).toContain('connecting 1');
    // Without a previous snapshot the rates are unknown, and no latency is shown without acks.
    const first = formatStatusLine(now);
    expect(first).toContain('- msg/s');
    expect(first).not.toContain('ack p50');
  });
});

describe('status reporter', () => {
  function fakeSource(): StatusSource & { acks: number } {
    let t = 1_000;
    const source = {
      acks: 0,
      stats: () => {
        t += 1000;
        return snapshot(t, { acks: source.acks, ackedRecords: source.acks });
      },
      takeAckLatencies: (): [number, number][] => {
        const pairs: [number, number][] = source.acks > 0 ? [[7, source.acks]] : [];
        source.acks = 0;
        return pairs;
      },
    };
    return source;
  }

  it('writes one JSON record per interval in json mode, latencies drained each time', async () => {
    const lines: string[] = [];
    const source = fakeSource();
    const reporter = startStatusReporter(source, {
      output: { write: (c: string) => lines.push(c) },
      format: 'json',
      jsonIntervalMs: 20,
    });
    source.acks = 5;
    await new Promise((r) => setTimeout(r, 70));
    reporter.stop();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const records = lines.map((l) => {
      expect(l.endsWith('\n')).toBe(true);
      return fleetStatusRecordSchema.parse(JSON.parse(l));
    });
    // The 5 acks of the first interval are reported once, in exactly one record.
    expect(records.flatMap((r) => r.ackLatencyPairs)).toEqual([[7, 5]]);
    expect(records[0]?.connecting).toBe(1);
  });

  it('writes plain timestamped lines when not on a terminal, a final one on stop', () => {
    const lines: string[] = [];
    const reporter = startStatusReporter(fakeSource(), {
      output: { write: (c: string) => lines.push(c), isTTY: false },
    });
    reporter.stop();
    reporter.stop(); // idempotent
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z devices 9\/10 connected/);
  });
});
