// bench:small-host without its run: its flags (given and generated), which part of the stack a
// process is, and the report section it writes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/options.ts';
import {
  PARTS,
  parseSmallHostArgs,
  parseSmallHostResults,
  renderSmallHostSection,
  stackPart,
} from '../src/small-host.ts';

describe('npm run bench:small-host', () => {
  it('takes its flags and refuses bad ones naming them', () => {
    expect(parseSmallHostArgs([])).toMatchObject({
      durationS: 60,
      warmupS: 30,
      tunings: ['small-host', 'defaults'],
    });
    expect(parseSmallHostArgs(['--tuning', 'defaults', '--duration', '10'])).toMatchObject({
      tunings: ['defaults'],
      durationS: 10,
    });
    expect(parseSmallHostArgs(['-h'])).toBe('help');
    expect(() => parseSmallHostArgs(['--tuning', 'big'])).toThrow(/--tuning/);
    expect(() => parseSmallHostArgs(['--duration', '2'])).toThrow(/--duration/);
    expect(() => parseSmallHostArgs(['--warmup', '-1'])).toThrow(/--warmup/);
    expect(() => parseSmallHostArgs(['--out', ''])).toThrow(/--out/);
    expect(() => parseSmallHostArgs(['extra'])).toThrow(UsageError);
  });

  it('answers any generated command line with options or a usage error, never another throw', () => {
    const flag = fc.constantFrom('--duration', '--warmup', '--tuning', '--out', '-h', '--nope', 'x');
    fc.assert(
      fc.property(fc.array(fc.oneof(flag, fc.string({ maxLength: 12 })), { maxLength: 6 }), (argv) => {
        try {
          const r = parseSmallHostArgs(argv);
          if (r !== 'help') {
            expect(r.durationS).toBeGreaterThanOrEqual(5);
            expect(r.tunings.length).toBeGreaterThan(0);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
      { seed: 1501, numRuns: 500 },
    );
  });

  it('names the part of the stack each process of `npm start` is', () => {
    const cmd = (...args: string[]) => args.join('\0');
    expect(stackPart(cmd('java', '-Xmx1024m', '-p', 'q.jar', '-m', 'io.questdb/io.questdb.ServerMain'))).toBe(
      'QuestDB',
    );
    expect(stackPart(cmd('/n/node', '/w/platform/src/child.ts', 'ingest'))).toBe('device side');
    expect(stackPart(cmd('/n/node', '/w/platform/src/child.ts', 'api'))).toBe('API side');
    expect(stackPart(cmd('/n/node', '/w/platform/src/main.ts'))).toBe('launcher');
    expect(stackPart(cmd('/n/node', '/w/firmware-sim/src/main.ts', '--devices', '50'))).toBe('simulator');
    expect(stackPart(cmd('node', 'cli/src/main.ts', 'start'))).toBe('start command');
    expect(stackPart(cmd('bash', '-c', 'sleep 1'))).toBeUndefined();
  });

  it('writes one row per tuning with rates per second and every part', () => {
    const section = renderSmallHostSection(
      {
        generatedAt: '2026-12-03T18:00:00.000Z',
        machine: { cores: 2, cpuModel: 'Test CPU', memoryGb: 23.5, node: '22', kernel: '6' },
        args: { durationS: 60, warmupS: 30, tunings: ['small-host'] },
        runs: [
          {
            tuning: 'small-host',
            seconds: 60,
            devices: 70,
            rows: 660,
            commits: 300,
            cpu: {
              total: 20,
              byProcess: { QuestDB: 12, 'device side': 5, 'API side': 1, launcher: 1, simulator: 1 },
              threads: [{ process: 'QuestDB', thread: 'wal-apply_', cpuPct: 6 }],
            },
          },
        ],
        notes: ['Before the run the machine was already 30% busy.'],
      },
      'plots/small-host-cpu.svg',
    );
    expect(section.startsWith('## Small host\n')).toBe(true);
    const row = section.split('\n').find((l) => l.startsWith('| small-host'));
    expect(row).toBe(
      `| small-host | 70 | 11.0 | 5.0 | 2.2 | **20.0%** | ${['12.0%', '5.0%', '1.0%', '1.0%', '1.0%', '0.0%'].join(' | ')} |`,
    );
    expect(PARTS).toHaveLength(6);
    expect(section).toContain('wal-apply_ 6.0%');
    expect(section).toContain('![CPU of each part');
    expect(section).toContain('- Before the run the machine was already 30% busy.');
  });

  it('reads back its results file, and refuses one that is not', () => {
    const r = parseSmallHostResults(
      JSON.stringify({ generatedAt: 'x', machine: { cores: 2 }, args: { durationS: 5 }, runs: [] }),
    );
    expect(r.notes).toEqual([]);
    expect(() => parseSmallHostResults('{"runs": 3}')).toThrow(/not a small-host results file/);
  });
});
