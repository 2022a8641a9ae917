// The pure parts of `npm run bench:rules`: options, the places and the devices' tracks (the
// background fleet never enters a place, the probes raise exactly what they announce), the
// matching of alerts to their causes, the engine's share and the report. No network, no timing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newPlaceSchema } from '@fleet/api';
import type { TelemetryInput } from '@fleet/proto';
import { RULE_KINDS } from '@fleet/shared';
import { pointInPlace } from '@fleet/shared/geo';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/options.ts';
import { lineChartSvg } from '../src/plot.ts';
import { mergeReport } from '../src/report.ts';
import { type AlertSeen, engineShare, matchAlerts, webhookArrivals } from '../src/rules-match.ts';
import { estimatedRulesRunS, parseRulesOptions, RULES_HELP } from '../src/rules-options.ts';
import {
  parseRulesResults,
  type RulesResults,
  renderRulesSection,
  rulesLatencyChart,
} from '../src/rules-report.ts';
import {
  BENCH_RULES,
  generatePlaces,
  type ProbeTrigger,
  RulesTrack,
  SPEEDING_MIN_S,
  VISIT_RECORDS,
  visitAlerts,
} from '../src/rules-scenario.ts';

const fix = (r: TelemetryInput) => ({ lat: r.lat as number, lon: r.lon as number });

const usage = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no usage error');
};

describe('bench:rules options', () => {
  it('has the issue defaults: 10,000 devices, 5,000 places', () => {
    const o = parseRulesOptions([], '/repo');
    if (o === 'help') throw new Error('unexpected help');
    expect(o).toMatchObject({ devices: 10_000, places: 5000, probes: 100, probeEveryS: 30, durationS: 120 });
    expect(o.out).toBe('/repo/bench/REPORT.md');
    expect(estimatedRulesRunS(o)).toBeGreaterThan(2 * 120);
    expect(parseRulesOptions(['-h'], '/repo')).toBe('help');
    expect(RULES_HELP).toContain('--probe-every');
  });

  it('refuses what it cannot run, naming the flag', () => {
    expect(usage(() => parseRulesOptions(['--devices=0'], '/r'))).toContain('--devices');
    expect(usage(() => parseRulesOptions(['--devices=20000'], '/r'))).toContain('10,000');
    expect(usage(() => parseRulesOptions(['--devices=50', '--probes=60'], '/r'))).toContain('--probes');
    expect(usage(() => parseRulesOptions(['--probe-every=5'], '/r'))).toContain('--probe-every');
    expect(usage(() => parseRulesOptions(['--duration=x'], '/r'))).toContain('--duration');
    expect(usage(() => parseRulesOptions(['--out='], '/r'))).toContain('--out');
    expect(usage(() => parseRulesOptions(['--what'], '/r'))).toContain('what');
    const small = parseRulesOptions(['--devices=50'], '/r');
    expect(small !== 'help' && small.probes).toBe(50);
  });
});

describe('bench:rules world', () => {
  const world = generatePlaces(400, 12);
  const shapes = world.places.map((p) => ({
    place: p,
    shape: newPlaceSchema.parse({ name: p.name, category: p.category, geometry: p.geometry }).shape,
  }));
  const inside = (point: { lat: number; lon: number }) =>
    shapes.filter((s) => pointInPlace(s.shape, point)).map((s) => s.place);

  it('makes valid places, the same for the same seed, each holding its own inside point', () => {
    expect(world.places).toHaveLength(400);
    expect(generatePlaces(400, 12).places).toEqual(world.places);
    expect(new Set(world.places.map((p) => p.name)).size).toBe(400);
    expect(new Set(world.places.map((p) => p.geometry.type))).toEqual(new Set(['circle', 'Polygon']));
    for (const { place } of shapes) expect(inside(place.inside)).toEqual([place]);
  });

  it('has 20 valid rules whose geofence delays make a visit exact', () => {
    expect(BENCH_RULES).toHaveLength(20);
    expect(new Set(BENCH_RULES.map((r) => r.name)).size).toBe(20);
    for (const r of BENCH_RULES) expect(RULE_KINDS).toContain(r.kind);
    for (const r of BENCH_RULES) {
      const delay = (r.params.minInsideS ?? r.params.minOutsideS ?? r.params.minDwellS) as number | undefined;
      if (r.kind.startsWith('geofence')) expect(delay === 0 || (delay ?? 0) > VISIT_RECORDS + 5).toBe(true);
    }
    expect(visitAlerts('restricted_area').map((v) => v.on)).toEqual(['enter', 'exit']);
    expect(visitAlerts('parking')).toEqual([]);
  });

  it('keeps the background fleet out of every place, on a plausible drive', () => {
    const spec = { places: 400, placeSeed: 12, probeEveryS: 30 };
    for (let i = 0; i < 40; i++) {
      const track = new RulesTrack(`bg-${i}`, spec, { index: i }, world);
      let t = 1_800_000_000_000;
      for (let s = 0; s < 300; s++) {
        t += 1000;
        const { record, triggers } = track.nextRecord(t);
        expect(triggers).toEqual([]);
        expect(record.speedKmh).toBeLessThan(70);
        expect(record.dtcCodes).toBeUndefined();
        if (s % 10 === 0) expect(inside(fix(record))).toEqual([]);
      }
    }
  });

  it('lets a probe announce each alert with the record that makes it due', () => {
    const spec = { places: 400, placeSeed: 12, probeEveryS: 20 };
    const track = new RulesTrack('probe-0', spec, { index: 3, probe: 0 }, world);
    let t = 1_800_000_000_000;
    const all: ProbeTrigger[] = [];
    let over = 0;
    for (let s = 0; s < 20 * 9; s++) {
      t += 1000;
      const { record, triggers } = track.nextRecord(t);
      if ((record.speedKmh ?? 0) > 90) over++;
      for (const trigger of triggers) {
        expect(trigger.triggerAt).toBe(record.tsMs);
        if (trigger.kind === 'engine_fault') expect(record.dtcCodes).toHaveLength(1);
        if (trigger.kind === 'threshold') expect(record.coolantTempC).toBeGreaterThan(110);
        if (trigger.kind === 'geofence_enter')
          expect(inside(fix(record)).map((p) => p.category)).toEqual(['restricted_area']);
        if (trigger.kind === 'geofence_exit') expect(inside(fix(record))).toEqual([]);
      }
      all.push(...triggers);
    }
    const speeding = all.filter((x) => x.kind === 'overspeed');
    expect(speeding.length).toBeGreaterThan(0);
    for (const x of speeding) {
      expect(x.dueAt).toBe(x.startedAt + SPEEDING_MIN_S * 1000);
      expect(x.triggerAt).toBeGreaterThanOrEqual(x.dueAt);
    }
    expect(over).toBeGreaterThanOrEqual(speeding.length * (SPEEDING_MIN_S + 1));
    expect(new Set(all.map((x) => x.kind))).toContain('engine_fault');
    expect(new Set(all.map((x) => x.kind))).toContain('threshold');
  });
});

describe('bench:rules matching', () => {
  const trigger = (deviceId: string, startedAt: number, extra: Partial<ProbeTrigger> = {}): ProbeTrigger => ({
    deviceId,
    ruleName: 'Engine fault code',
    kind: 'engine_fault',
    startedAt,
    triggerAt: startedAt,
    dueAt: startedAt,
    ...extra,
  });
  const seen = (
    deviceId: string,
    startedAt: number,
    at: number,
    ruleName = 'Engine fault code',
  ): AlertSeen => ({
    id: `${deviceId}-${startedAt}`,
    ruleName,
    kind: 'engine_fault',
    deviceId,
    startedAt,
    raisedAt: startedAt + 40,
    at,
  });

  it('counts missing, twice, not caused, and measures from the trigger', () => {
    const triggers = [
      trigger('a', 1000),
      trigger('b', 2000),
      trigger('c', 3000),
      trigger('d', 500), // before the window: not expected
      trigger('e', 4000, { kind: 'overspeed', ruleName: 'Speeding', dueAt: 14_000, triggerAt: 14_300 }),
    ];
    const arrivals = [
      seen('a', 1000, 1100),
      seen('a', 1000, 1900), // twice
      seen('b', 2000, 2300),
      seen('d', 500, 700), // outside the window: ignored
      seen('x', 2500, 2600, 'Low fuel'), // nobody caused it
      seen('e', 4000, 14_100, 'Speeding'), // before its completing record: from dueAt
    ];
    const m = matchAlerts(triggers, arrivals, 1000, 20_000);
    expect(m).toMatchObject({ expected: 4, received: 3, missing: 1, duplicated: 1, openedByTick: 1 });
    expect(m.unexpected).toEqual({ 'Low fuel': 1 });
    expect(m.missingSamples[0]).toContain('of c');
    expect(m.latencyMs).toMatchObject({ count: 3, p50: 100, max: 300 });
    expect(m.byKind.overspeed?.max).toBe(100);
    expect(m.afterRaiseMs.max).toBe(10_060);
    expect(m.percentiles.at(-1)).toEqual({ p: 100, ms: 300 });
  });

  it('takes webhook alerts with a good signature only', () => {
    const hooks = [
      { at: 5, type: 'alert.opened', signatureOk: true, alerts: [seen('a', 1, 0), seen('b', 2, 0)] },
      { at: 6, type: 'alert.opened', signatureOk: false, alerts: [seen('c', 3, 0)] },
    ];
    expect(webhookArrivals(hooks).map((a) => [a.deviceId, a.at])).toEqual([
      ['a', 5],
      ['b', 5],
    ]);
  });

  it('gives the engine share of CPU per record', () => {
    expect(engineShare({ cpuS: 10, records: 100_000 }, { cpuS: 12, records: 100_000 })).toEqual({
      offUs: 100,
      onUs: 120,
      addedPct: 20,
    });
    expect(engineShare({ cpuS: 0, records: 0 }, { cpuS: 1, records: 1 })).toBeUndefined();
  });
});

describe('bench:rules report', () => {
  it('renders its section and plot from a results file', async () => {
    const latency = { count: 3, p50: 100, p90: 200, p99: 300, p999: 300, max: 300, mean: 200 };
    const match = matchAlerts([], [], 0, 1);
    const phase = (key: 'rules-off' | 'rules-on', cpu: number) => ({
      key,
      title: key,
      rules: key === 'rules-on' ? 20 : 0,
      durationS: 60,
      sentPerS: 1000,
      ackedPerS: 1000,
      storedRecords: 60_000,
      storedPerS: 1000,
      pubackMs: latency,
      usage: { machineBusyPct: 50, processes: { ingest: { cpuPct: cpu, peakRssMb: 300 } } },
      deviceSideCpuS: (cpu / 100) * 60,
      cpuUsPerRecord: ((cpu / 100) * 60 * 1e6) / 60_000,
      loopLagP99Ms: 20,
      loopLagMaxMs: 40,
      evaluated: key === 'rules-on' ? 60_000 : 0,
      alertChanges: {},
      ruleErrors: 0,
      writes: 10,
      writeMeanMs: 5,
    });
    const results: RulesResults = {
      bench: 'rules',
      date: '2026-12-03T00:00:00.000Z',
      machine: { cores: 2, cpuModel: 'x', memoryGb: 8, node: '22', kernel: '6' },
      before: { loadAvg: [0.1, 0.2, 0.3], busyPct: 3 },
      parameters: {
        devices: 1000,
        places: 400,
        probes: 10,
        probeEveryS: 30,
        durationS: 60,
        warmupS: 10,
        settleS: 10,
        drainS: 10,
        rules: BENCH_RULES.map((r) => ({ name: r.name, kind: r.kind })),
        placesSeedS: 2,
        connectS: 3,
      },
      phases: [phase('rules-off', 20), phase('rules-on', 25)],
      engine: { offUs: 200, onUs: 250, addedPct: 25 },
      hub: { ...match, expected: 3, received: 3, latencyMs: latency, percentiles: [{ p: 50, ms: 100 }] },
      webhooks: { ...match, requests: 0, badSignatures: 0, alertsCarried: 0 },
      frames: { opened: 3 },
      triggers: 3,
      notes: [],
    };
    const back = parseRulesResults(JSON.stringify(results));
    const section = renderRulesSection(back, 'plots');
    expect(section).toMatch(/^## Rules\n/);
    expect(section).toContain('+25% (200.0 -> 250.0 µs)');
    expect(section).toContain('| **no** |');
    const dir = mkdtempSync(join(tmpdir(), 'rules-report-'));
    try {
      const path = join(dir, 'REPORT.md');
      writeFileSync(path, '# Benchmark report\n\n## Hub\n\nhub text\n');
      const merged = mergeReport(path, section, 'Rules');
      expect(merged).toContain('hub text');
      expect(merged).toContain('## Rules');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const chart = rulesLatencyChart(back);
    expect(chart?.points).toHaveLength(1);
    expect(await lineChartSvg(chart as NonNullable<typeof chart>)).toContain('<svg');
    expect(() => parseRulesResults('{"bench":"hub"}')).toThrow();
  });
});
