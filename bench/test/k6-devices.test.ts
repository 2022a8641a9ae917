// npm run bench:k6's pure parts: its flags, k6's --summary-export read back, and the report
// section merged into a report that has other sections.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseK6Summary } from '../src/fleet-report.ts';
import {
  burstMessages,
  estimatedK6DevicesRunS,
  K6_DEVICES_HELP,
  parseK6DevicesOptions,
} from '../src/k6-devices-options.ts';
import {
  type K6DevicesResults,
  parseK6DevicesResults,
  readK6Summary,
  renderK6DevicesSection,
} from '../src/k6-devices-report.ts';
import { parseBenchArgs, UsageError } from '../src/options.ts';
import { mergeReport } from '../src/report.ts';

const usage = (argv: string[]): string => {
  try {
    parseK6DevicesOptions(argv, '/repo');
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('bench:k6 options', () => {
  it('defaults fit a 2-core machine: 2,000 devices, all three scripts', () => {
    expect(parseK6DevicesOptions([], '/repo')).toEqual({
      devices: 2000,
      durationS: 30,
      holdS: 30,
      spreadS: 10,
      backlog: 500,
      batch: 50,
      inflight: 4,
      scripts: ['storm', 'steady', 'burst'],
      out: '/repo/bench/REPORT.md',
      render: undefined,
    });
  });

  it('takes the issue scale and a subset of scripts, always in the fixed order', () => {
    const o = parseK6DevicesOptions(
      ['--devices', '10000', '--scripts', 'steady,storm', '--duration=60'],
      '/r',
    );
    expect(o).toMatchObject({ devices: 10_000, durationS: 60, scripts: ['storm', 'steady'] });
    if (o === 'help') throw new Error('help');
    expect(estimatedK6DevicesRunS(o)).toBeGreaterThan(60 + 30 + 60);
    expect(burstMessages({ backlog: 500, batch: 50 })).toBe(10);
    expect(burstMessages({ backlog: 501, batch: 50 })).toBe(11);
  });

  it('refuses bad flags with a message that names the flag', () => {
    expect(usage(['--devices', '0'])).toMatch(/--devices must be a whole number from 1 to 10,000/);
    expect(usage(['--devices', '20000'])).toMatch(/--devices/);
    expect(usage(['--devices', '1e3'])).toMatch(/--devices/);
    expect(usage(['--duration', 'NaN'])).toMatch(/--duration/);
    expect(usage(['--spread', '60'])).toMatch(/--spread must be a whole number from 0 to 59/);
    expect(usage(['--batch', '100', '--backlog', '50'])).toMatch(
      /--backlog \(50\) must be at least --batch \(100\)/,
    );
    expect(usage(['--scripts', 'storm,soak'])).toMatch(/--scripts must list some of storm, steady, burst/);
    expect(usage(['--scripts', 'storm,storm'])).toMatch(/--scripts/);
    expect(usage(['--out', ' '])).toMatch(/--out needs a file path/);
    expect(usage(['--frobnicate'])).toMatch(/frobnicate/);
  });

  it('prints its help for --help and exits 2 on a usage error', () => {
    expect(parseK6DevicesOptions(['-h'], '/r')).toBe('help');
    expect(K6_DEVICES_HELP).toContain('npm run bench:k6');
    const write = process.stderr.write;
    let err = '';
    process.stderr.write = ((chunk: string) => {
      err += chunk;
      return true;
    }) as typeof process.stderr.write;
    try {
      expect(parseBenchArgs(() => parseK6DevicesOptions(['--devices=-1'], '/r'), K6_DEVICES_HELP)).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(err).toContain('--devices');
  });
});

/** A --summary-export file as k6 1.8 writes it (a threshold's value is true when it FAILED). */
const SUMMARY = JSON.stringify({
  metrics: {
    mqtt_connect_ms: { avg: 4.1, min: 1, med: 3.2, 'p(95)': 9.5, 'p(99)': 20.25, max: 41 },
    'mqtt_puback_ms{phase:measure}': {
      avg: 30,
      min: 2,
      med: 25.5,
      'p(95)': 80,
      'p(99)': 150,
      max: 400,
      thresholds: { 'p(99)<=200': false },
    },
    mqtt_puback_ms: { avg: 50, min: 2, med: 30, 'p(95)': 120, 'p(99)': 900, max: 2000 },
    fleet_connected_at_s: {
      avg: 5,
      min: 0.1,
      med: 5,
      'p(95)': 9.5,
      'p(99)': 9.9,
      max: 12.5,
      thresholds: { 'max<60': false },
    },
    fleet_devices_connected: { count: 2000, rate: 33.3, thresholds: { 'count>=2000': false } },
    mqtt_records_acked: { count: 120_000, rate: 2000 },
    mqtt_publish_errors: { count: 3, rate: 0.05, thresholds: { 'count==0': true } },
    iterations: { count: 120_000, rate: 2000 },
  },
});

describe('bench:k6 summary and report', () => {
  it('reads the figures and the threshold verdicts out of the summary export', () => {
    const s = readK6Summary(SUMMARY);
    expect(s.trend('mqtt_puback_ms{phase:measure}')).toEqual({
      avg: 30,
      med: 25.5,
      p95: 80,
      p99: 150,
      max: 400,
    });
    expect(s.trend('fleet_connected_at_s')?.max).toBe(12.5);
    expect(s.trend('no_such_metric')).toBeNull();
    expect(s.count('fleet_devices_connected')).toBe(2000);
    expect(s.count('no_such_metric')).toBe(0);
    expect(s.rate('mqtt_records_acked')).toBe(2000);
    expect(s.thresholdsPassed).toBe(false); // mqtt_publish_errors count==0 failed
    expect(() => readK6Summary('{"metrics": 5}')).toThrow();
  });

  it('renders the section with the figures and merges it beside the other sections', () => {
    const run = parseK6Summary(SUMMARY, 'bench/k6/devices-steady.js', 'steady', 99);
    const results: K6DevicesResults = {
      bench: 'k6-devices',
      date: '2026-12-03T18:00:00.000Z',
      machine: { cores: 2, cpuModel: 'Test CPU', memoryGb: 23.4, node: '22.23.3', kernel: '6.1' },
      k6: 'k6 v1.8.1 with k6/x/fleetmqtt',
      parameters: {
        devices: 2000,
        durationS: 30,
        holdS: 30,
        spreadS: 10,
        backlog: 500,
        batch: 50,
        inflight: 4,
      },
      scripts: [
        {
          script: 'steady',
          file: 'bench/k6/devices-steady.js',
          exitCode: 99,
          shape: '2,000 devices, 1 record/s each, 30 s measured',
          devices: 2000,
          connected: 2000,
          connectedByS: 12.5,
          connectMs: readK6Summary(SUMMARY).trend('mqtt_connect_ms'),
          connectFailures: 0,
          reconnects: 0,
          pubackMs: readK6Summary(SUMMARY).trend('mqtt_puback_ms{phase:measure}'),
          published: 120_003,
          pubacks: 120_000,
          publishErrors: 3,
          recordsAcked: 120_000,
          runS: 60,
          recordsAckedPerS: 2000,
          rowsStored: 120_000,
          rowsStoredPerS: 2000,
          storeSettled: true,
          usage: { 'device side': { cpuPct: 80, peakRssMb: 400 }, machine: { cpuPct: 70, peakRssMb: 0 } },
          thresholdsPassed: false,
          metrics: run.metrics,
        },
      ],
      notes: ['a note'],
    };
    const round = parseK6DevicesResults(JSON.stringify(results));
    expect(round).toEqual(results);
    const section = renderK6DevicesSection(round);
    expect(section.startsWith('## k6 devices\n')).toBe(true);
    expect(section).toContain(
      '| steady | 2,000 / 2,000 | 12.5 | 3.20 / 9.50 / 20.3 | 0 | 25.5 / 80.0 / 150 | 400 |',
    );
    expect(section).toContain('| 120,000 | 2,000 | 120,000 | 2,000 | 3 | **fail** |');
    expect(section).toContain('**fail** `count==0`');
    expect(section).toContain('pass `p(99)<=200`');
    expect(section).toContain('| steady | 80% / 400 MB | n/a | n/a | n/a | n/a | 70% |');
    expect(section).toContain('- a note');

    const dir = mkdtempSync(join(tmpdir(), 'k6-report-'));
    try {
      const path = join(dir, 'REPORT.md');
      writeFileSync(path, '# Benchmark report\n\n## k6\n\nthe console journeys\n\n## Fleet\n\nfleet text\n');
      writeFileSync(path, mergeReport(path, section, 'k6 devices'));
      writeFileSync(path, mergeReport(path, section.replace('- a note', '- another note'), 'k6 devices'));
      const text = readFileSync(path, 'utf8');
      expect(text.match(/^## k6 devices$/gm)).toHaveLength(1);
      expect(text).toContain('## k6\n\nthe console journeys');
      expect(text).toContain('## Fleet\n\nfleet text');
      expect(text).toContain('- another note');
      expect(text).not.toContain('- a note');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
