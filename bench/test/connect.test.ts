// bench:connect's flags, source addresses and the open-files cap of phase (b), without starting anything.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { idleCapacity, parseConnectOptions, sourceAddresses } from '../src/connect-options.ts';
import { UsageError } from '../src/options.ts';

const ROOT = '/repo';

describe('parseConnectOptions', () => {
  it('has the defaults of the issue', () => {
    expect(parseConnectOptions([], ROOT)).toEqual({
      devices: 10_000,
      reportS: 60,
      idle: 50_000,
      workers: 2,
      window: 1000,
      connectRate: 0,
      connectTimeoutS: 120,
      profileDir: undefined,
      out: join(ROOT, 'bench/REPORT.md'),
      render: undefined,
    });
    expect(parseConnectOptions(['--help'], ROOT)).toBe('help');
  });

  it('takes every flag', () => {
    const o = parseConnectOptions(
      [
        '--devices=2000',
        '--report-s=0',
        '--idle=0',
        '--workers=4',
        '--window=50',
        '--connect-rate=5000',
        '--connect-timeout=30',
        '--out=/tmp/r.md',
      ],
      ROOT,
    );
    expect(o).toMatchObject({
      devices: 2000,
      reportS: 0,
      idle: 0,
      workers: 4,
      window: 50,
      connectRate: 5000,
      connectTimeoutS: 30,
      out: '/tmp/r.md',
    });
  });

  it.each([
    [['--devices=0'], /--devices must be a whole number from 1 to 50,000/],
    [['--devices=60000'], /--devices/],
    [['--report-s=-1'], /--report-s/],
    [['--workers=1.5'], /--workers/],
    [['--connect-timeout=1'], /--connect-timeout must be a whole number from 5/],
    [['--out='], /--out needs a file path/],
    [['--render= '], /--render needs/],
    [['--nope'], /Unknown option/],
    [['stray'], /positional/i],
  ])('refuses %j', (argv, message) => {
    expect(() => parseConnectOptions(argv, ROOT)).toThrow(UsageError);
    expect(() => parseConnectOptions(argv, ROOT)).toThrow(message);
  });
});

describe('sourceAddresses', () => {
  it.each([
    [1, ['127.0.0.2']],
    [20_000, ['127.0.0.2']],
    [20_001, ['127.0.0.2', '127.0.0.3']],
    [50_000, ['127.0.0.2', '127.0.0.3', '127.0.0.4']],
  ])('%i connections -> %j', (n, expected) => {
    expect(sourceAddresses(n)).toEqual(expected);
  });
});

describe('idleCapacity', () => {
  it.each([
    [50_000, { generator: 1_048_576, broker: 1_048_576 }, { connections: 50_000, cappedBy: undefined }],
    [50_000, { generator: 1_048_576, broker: 20_000 }, { connections: 19_600, cappedBy: 'broker' }],
    [50_000, { generator: 20_000, broker: 1_048_576 }, { connections: 19_600, cappedBy: 'generator' }],
    [10_000, { generator: 20_000, broker: 20_000 }, { connections: 10_000, cappedBy: undefined }],
    [10, { generator: 100, broker: 100 }, { connections: 0, cappedBy: 'broker' }],
  ] as const)('%i asked with limits %j -> %j', (asked, limits, expected) => {
    expect(idleCapacity(asked, limits)).toEqual(expected);
  });
});
