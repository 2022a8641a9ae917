// The pure parts of `npm run bench:hub`: options, the latency histogram, the hub's frame types,
// the Prometheus parser, targets and the report section. No network, no timing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MsHistogram } from '@fleet/shared';
import { describe, expect, it } from 'vitest';
import { estimatedRunS, parseHubOptions, UsageError } from '../src/hub-options.ts';
import {
  computeHubTargets,
  fanOutCost,
  type HubPhaseResult,
  type HubResults,
  hubNotes,
  parseHubResults,
  renderHubSection,
  withDerived,
} from '../src/hub-report.ts';
import {
  counterDelta,
  frameType,
  metricByLabel,
  metricSum,
  parsePrometheus,
  recordFrameLatencies,
  spread,
} from '../src/hub-stats.ts';
import { mergeReport } from '../src/report.ts';

const ROOT = '/repo';
const parse = (...argv: string[]) => parseHubOptions(argv, ROOT);
const usage = (...argv: string[]) => {
  try {
    parse(...argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('options', () => {
  it('has defaults that fit a short run', () => {
    const o = parse();
    if (o === 'help') throw new Error('help');
    expect(o).toMatchObject({
      clients: [1, 100, 1000, 2000],
      rate: 10_000,
      lowRate: 2000,
      devices: 1000,
      durationS: 15,
      sample: 20,
      pin: true,
      out: '/repo/bench/REPORT.md',
      profileDir: undefined,
    });
    // Two frame formats per client count and a viewport phase: under ten minutes.
    expect(estimatedRunS(o)).toBeLessThanOrEqual(600);
  });

  it('reads every flag', () => {
    const o = parse(
      '--clients',
      '5, 50',
      '--rate',
      '3000',
      '--low-rate',
      '0',
      '--devices',
      '30',
      '--duration',
      '2',
      '--warmup',
      '0',
      '--sample',
      '3',
      '--inflight',
      '4',
      '--workers',
      '2',
      '--tick-ms',
      '50',
      '--set',
      'HUB_COALESCE_BYTES=65536',
      '--set',
      'INGEST_FLUSH_INTERVAL_MS = 20',
      '--no-pin',
      '--out',
      '/tmp/r.md',
    );
    expect(o).toMatchObject({
      clients: [5, 50],
      rate: 3000,
      lowRate: 0,
      devices: 30,
      durationS: 2,
      warmupS: 0,
      sample: 3,
      inflight: 4,
      workers: 2,
      tickMs: 50,
      platformSettings: { HUB_COALESCE_BYTES: '65536', INGEST_FLUSH_INTERVAL_MS: '20' },
      pin: false,
      out: '/tmp/r.md',
    });
    expect(parse('-h')).toBe('help');
    expect(parse('--help', '--rate', 'x')).toBe('help');
  });

  it('refuses garbage with a message that names the flag', () => {
    expect(usage('--rate', 'fast')).toMatch(/--rate must be a whole number from 1 to 1,000,000, got "fast"/);
    expect(usage('--rate', '1e4')).toMatch(/--rate must be a whole number/);
    expect(usage('--rate', '0')).toMatch(/--rate must be/);
    expect(usage('--duration', '-3')).toMatch(/--duration|argument/);
    expect(usage('--duration', '2.5')).toMatch(/--duration must be a whole number/);
    expect(usage('--clients', '')).toMatch(/--clients must be 1 to 10 counts/);
    expect(usage('--clients', '1,,2')).toMatch(/--clients must be 1 to 10 counts/);
    expect(usage('--clients', '100,abc')).toMatch(
      /--clients must be a whole number from 1 to 10,000, got "abc"/,
    );
    expect(usage('--clients', '0')).toMatch(/--clients must be a whole number from 1/);
    expect(usage('--clients', '100,100')).toMatch(/twice/);
    expect(usage('--low-rate', '10000')).toMatch(/--low-rate \(10000\) must be below --rate \(10000\)/);
    expect(usage('--rate', '50000', '--devices', '10')).toMatch(/more than 1,000 positions\/s per device/);
    expect(usage('--sample', '0')).toMatch(/--sample must be a whole number from 1/);
    expect(usage('--workers', '9')).toMatch(/--workers must be a whole number from 1 to 8/);
    expect(usage('--tick-ms', 'soon')).toMatch(/--tick-ms must be/);
    expect(usage('--out', ' ')).toMatch(/--out needs a file path/);
    expect(usage('--set', 'HUB_COALESCE_BYTES')).toMatch(/--set needs NAME=value/);
    expect(usage('--set', 'NOPE=1')).toMatch(/--set NOPE: not a platform setting/);
    expect(usage('--set', 'HTTP_PORT=80')).toMatch(/--set HTTP_PORT: the bench sets this itself/);
    expect(usage('--set', 'HUB_TICK_MS=50')).toMatch(/use --tick-ms/);
    expect(usage('--set', 'HUB_COALESCE_BYTES=lots')).toMatch(/--set HUB_COALESCE_BYTES=lots: /);
    expect(usage('--bogus')).toMatch(/bogus/);
    expect(usage('--rate')).toMatch(/rate/);
    expect(usage('stray')).toMatch(/stray|positional/i);
  });
});

describe('frames', () => {
  it('reads the type from the first bytes without parsing', () => {
    const frame = Buffer.from(JSON.stringify({ type: 'positions', at: 1, positions: [] }));
    expect(frameType(frame)).toBe('positions');
    expect(frameType(frame.subarray(0, 12))).toBeUndefined();
    expect(frameType(Buffer.from('{"type":"snapshot","topic":"positions"}'))).toBe('snapshot');
    expect(frameType(Buffer.from('[1,2]'))).toBeUndefined();
    // A view into a larger buffer (what ws hands over) is read at its own offset.
    const big = Buffer.concat([Buffer.from('xxxx'), Buffer.from('{"type":"hello"}')]);
    expect(frameType(big.subarray(4))).toBe('hello');
  });

  it('measures only positions whose device time is in the window', () => {
    const h = new MsHistogram();
    const r = recordFrameLatencies(
      [
        { deviceId: 'a', ts: 999 }, // before the window
        { deviceId: 'b', ts: 1000 },
        { deviceId: 'c', ts: 1950 },
        { deviceId: 'd', ts: 2010 }, // ahead of the receiver's clock
        { deviceId: 'e', ts: 3000 }, // after the window
      ],
      2000,
      1000,
      3000,
      h,
    );
    expect(r).toEqual({ counted: 3, ahead: 1 });
    expect(h.toPairs()).toEqual([
      [0, 1],
      [50, 1],
      [1000, 1],
    ]);
  });

  it('spreads per-client counts', () => {
    expect(spread([5, 1, 9, 3])).toEqual({ min: 1, p50: 3, max: 9 });
    expect(spread([])).toEqual({ min: 0, p50: 0, max: 0 });
  });
});

describe('Prometheus text', () => {
  const text = [
    '# HELP fleet_ws_frames_sent_total WebSocket frames sent, by frame type',
    '# TYPE fleet_ws_frames_sent_total counter',
    'fleet_ws_frames_sent_total{type="positions"} 1500',
    'fleet_ws_frames_sent_total{type="hello"} 10',
    'fleet_ws_frames_dropped_total{reason="coalesced"} 7',
    'fleet_ws_closed_total{reason="slow_consumer"} 2',
    'fleet_ws_closed_total{reason="shutdown",note="a \\"quoted\\" value"} 1',
    'nodejs_eventloop_lag_p99_seconds 0.0123',
    'fleet_ingest_positions_published_total 1e3 1700000000000',
    'garbage line',
    '',
  ].join('\n');
  const samples = parsePrometheus(text);

  it('parses names, labels (with escapes) and values', () => {
    expect(samples).toHaveLength(7);
    expect(samples[4]).toEqual({
      name: 'fleet_ws_closed_total',
      labels: { reason: 'shutdown', note: 'a "quoted" value' },
      value: 1,
    });
    expect(metricSum(samples, 'fleet_ws_frames_sent_total')).toBe(1510);
    expect(metricSum(samples, 'fleet_ws_frames_sent_total', { type: 'positions' })).toBe(1500);
    expect(metricSum(samples, 'fleet_ingest_positions_published_total')).toBe(1000);
    expect(metricSum(samples, 'missing')).toBe(0);
    expect(metricByLabel(samples, 'fleet_ws_closed_total', 'reason')).toEqual({
      slow_consumer: 2,
      shutdown: 1,
    });
  });

  it('diffs labelled counters, including ones that appear mid-run', () => {
    expect(counterDelta({ a: 1, b: 2 }, { a: 1, b: 5, c: 1 })).toEqual({ b: 3, c: 1 });
  });
});

function phase(clients: number, rate: number, over: Partial<HubPhaseResult> = {}): HubPhaseResult {
  const latency = { count: 1000, p50: 60, p90: 95, p99: 120, p999: 130, max: 140, mean: 62 };
  return {
    key: `clients-${clients}-rate-${rate}`,
    title: `${clients} clients @ ${rate}/s`,
    clients,
    rate,
    durationS: 10,
    publish: {
      sent: rate * 10,
      acked: rate * 10,
      drained: 0,
      unacked: 0,
      errors: 0,
      disconnects: 0,
      missedSlots: 0,
      sentPerS: rate,
      ackedPerS: rate,
      pubackMs: { ...latency, p50: 12, p99: 40 },
    },
    hub: {
      positionsOnBus: rate * 10,
      framesSent: clients * 100,
      coalesced: 0,
      closed: {},
      loopLagP99Ms: 20,
      loopLagMaxMs: 30,
    },
    received: {
      clients,
      sampleClients: Math.min(clients, 20),
      frames: clients * 100,
      framesThroughEnd: clients * 100,
      framesPerS: clients * 10,
      framesPerSPerClient: 10,
      perClientFramesPerS: { min: 10, p50: 10, max: 10 },
      otherFrames: 0,
      bytes: clients * 100 * 150_000,
      bytesPerS: clients * 1_500_000,
      bytesPerFrame: 150_000,
      positionsPerSPerClient: rate,
      positionsPerFrame: rate / 10,
      deliveredPct: 99,
      closed: {},
      errors: 0,
      openAtEnd: clients,
      ahead: 0,
    },
    latencyMs: latency,
    receiver: { loopDelayP99Ms: 2, loopDelayMaxMs: 5, loopUtilization: 0.4 },
    usage: {
      machineBusyPct: 70,
      processes: {
        platform: { cpuPct: 60, peakRssMb: 600 },
        questdb: { cpuPct: 40, peakRssMb: 400 },
        publisher: { cpuPct: 20, peakRssMb: 300 },
        receivers: { cpuPct: 20, peakRssMb: 200 },
      },
    },
    timeline: [],
    ...over,
  };
}

function results(phases: HubPhaseResult[]): HubResults {
  return {
    bench: 'hub',
    date: '2026-01-01T00:00:00.000Z',
    machine: { cores: 2, cpuModel: 'Test CPU', memoryGb: 8, node: '22.0.0', kernel: '6.0' },
    parameters: {
      clients: [100, 2000],
      rate: 10_000,
      lowRate: 2000,
      devices: 1000,
      durationS: 10,
      warmupS: 3,
      sample: 20,
      inflight: 2,
      workers: 1,
      tickMs: 100,
      coalesceBytes: 262_144,
      maxBufferBytes: 4_194_304,
      pinned: true,
      payloadBytes: 90,
      platformSettings: {},
    },
    layout: 'test layout',
    phases,
    targets: computeHubTargets(phases),
    runNotes: [],
    notes: [],
  };
}

describe('targets and report', () => {
  it('meets a target only at the full rate, within the p99 bound, with no client closed', () => {
    const ok = computeHubTargets([phase(100, 10_000)]);
    expect(ok[0]).toMatchObject({ met: true, p99Ms: 120, ackedPerS: 10_000 });
    expect(ok[1]).toMatchObject({ met: null, phase: null, why: 'not run' });

    const slow = phase(100, 10_000, {
      publish: { ...phase(100, 10_000).publish, ackedPerS: 4000 },
    });
    expect(computeHubTargets([slow])[0]).toMatchObject({ met: false });
    expect(computeHubTargets([slow])[0]?.why).toMatch(/rate not reached \(4,000 positions\/s acknowledged\)/);

    // The 2,000-client target counts only viewport clients (issue 15), not full-fleet ones.
    const fullFleet = phase(2000, 10_000);
    expect(computeHubTargets([fullFleet])[1]).toMatchObject({ met: null, why: 'not run' });
    const late = phase(2000, 10_000, {
      viewportVehicles: 500,
      latencyMs: { ...phase(1, 1).latencyMs, p99: 900 },
    });
    expect(computeHubTargets([late])[1]?.why).toBe('p99 900 ms');
    expect(computeHubTargets([late])[1]?.label).toMatch(/2,000 viewport clients \(json\)/);

    const closed = phase(2000, 10_000, {
      viewportVehicles: 500,
      received: { ...phase(2000, 10_000).received, closed: { 4008: 3 } },
    });
    expect(computeHubTargets([closed])[1]?.why).toMatch(/3 clients closed/);
    // One target row per frame format run.
    const columns = { ...phase(100, 10_000), format: 'columns' as const };
    expect(computeHubTargets([phase(100, 10_000), columns]).map((t) => t.label)).toHaveLength(4);
    // A phase at another rate does not count.
    expect(computeHubTargets([phase(100, 2000)])[0]?.met).toBeNull();
  });

  it('renders the ## Hub section with every table, and notes what limited a phase', () => {
    const saturated = phase(2000, 10_000, {
      viewportVehicles: 500,
      publish: { ...phase(2000, 10_000).publish, ackedPerS: 3000, missedSlots: 500 },
      hub: { ...phase(2000, 10_000).hub, coalesced: 1234, closed: { slow_consumer: 2 } },
      received: { ...phase(2000, 10_000).received, closed: { 4008: 2 } },
      receiver: { loopDelayP99Ms: 300, loopDelayMaxMs: 900, loopUtilization: 0.97 },
      usage: {
        machineBusyPct: 100,
        processes: {
          platform: { cpuPct: 99, peakRssMb: 1200 },
          questdb: { cpuPct: 20, peakRssMb: 400 },
          publisher: { cpuPct: 10, peakRssMb: 300 },
          receivers: { cpuPct: 60, peakRssMb: 200 },
        },
      },
    });
    const r = results([phase(100, 2000), phase(100, 10_000), saturated]);
    r.notes = hubNotes(r);
    const text = renderHubSection(r);
    expect(text.startsWith('## Hub\n')).toBe(true);
    for (const heading of ['### Results', '### Targets', '### Delivery', '### CPU and memory', '### Notes']) {
      expect(text).toContain(heading);
    }
    expect(text).toContain(
      '| 100 clients @ 10000/s | 10,000 | 10,000 | 10,000 | 10.0 | 1,000 | 150 | 60.0 | 95.0 | 120 | 140 | 0 | 0 |',
    );
    expect(text).toContain(
      '| p99 <= 150 ms at 10,000 positions/s to 100 full-fleet clients (json) | p99 120 ms at 10,000 positions/s acked | **yes** |',
    );
    expect(text).toMatch(
      /p99 <= 250 ms .* \*\*no\*\*: rate not reached \(3,000 positions\/s acknowledged\); 2 clients closed by the hub/,
    );
    expect(r.notes.join('\n')).toMatch(
      /acknowledged 3,000 of the 10,000 positions\/s .*the platform process was CPU-bound \(99% of a core\)/,
    );
    expect(r.notes.join('\n')).toMatch(/receiver process was saturated/);
    expect(r.notes.join('\n')).toMatch(/coalesced 1,234 frames/);
    expect(r.notes.join('\n')).toMatch(/2 \(slow_consumer\)/);
    // 100% of 2 cores = 200% of one; the watched processes add up to 189%: no foreign-load note.
    expect(r.notes.join('\n')).not.toMatch(/outside the bench/);
  });

  it('estimates the fan-out cost from two phases at the same rate', () => {
    const usage = (platform: number): HubPhaseResult['usage'] => ({
      machineBusyPct: 80,
      processes: { platform: { cpuPct: platform, peakRssMb: 600 } },
    });
    const one = phase(1, 10_000, { usage: usage(50) }); // 1.5 MB/s
    // 10,000 positions/s cost 50% in `one`; at 5,000 acked that is 25%, so 75 of the 100% went
    // to sending 301.5 - 1.5 = 300 MB/s more: 2.5 ms per MB.
    const many = phase(201, 10_000, {
      usage: usage(100),
      publish: { ...phase(1, 10_000).publish, ackedPerS: 5000 },
    });
    const cost = fanOutCost([one, many, phase(2000, 2000)]);
    expect(cost?.base).toBe(one);
    expect(cost?.loaded).toBe(many);
    expect(cost?.fanOutCpuPct).toBeCloseTo(75);
    expect(cost?.msPerMb).toBeCloseTo(2.5);
    const r = results([one, many]);
    expect(hubNotes(r)[0]).toMatch(/about 2\.50 ms of CPU per MB, so one core could send roughly 400 MB\/s/);
    expect(fanOutCost([one])).toBeUndefined();
  });

  it('re-renders a results file: targets and notes recomputed, run notes kept', () => {
    const r = { ...results([phase(100, 10_000)]), targets: [], notes: ['stale'], runNotes: ['retried 1'] };
    const again = withDerived(parseHubResults(JSON.stringify(r)));
    expect(again.targets[0]?.met).toBe(true);
    expect(again.notes[0]).toBe('retried 1');
    expect(again.notes).not.toContain('stale');
    // A file from before run notes were kept separately still reads.
    const { runNotes: _, ...old } = r;
    expect(parseHubResults(JSON.stringify(old)).runNotes).toEqual([]);
    expect(() => parseHubResults('{"bench":"ingest","phases":[]}')).toThrow(
      /not the results of npm run bench:hub/,
    );
    expect(() => parseHubResults('nope')).toThrow(/not JSON/);
  });

  it('replaces only its own section of the report file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-report-test-'));
    try {
      const path = join(dir, 'REPORT.md');
      writeFileSync(
        path,
        '# Benchmark report\n\n## Ingest\n\ningest text\n\n## Hub\n\nold hub\n\n## API\n\napi text\n',
      );
      const merged = mergeReport(path, renderHubSection(results([phase(100, 10_000)])), 'Hub');
      expect(merged).toContain('## Ingest\n\ningest text\n');
      expect(merged).toContain('## API\n\napi text\n');
      expect(merged).not.toContain('old hub');
      expect(merged.match(/^## Hub$/gm)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
