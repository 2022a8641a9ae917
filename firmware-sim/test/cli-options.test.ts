import { describe, expect, it } from 'vitest';
import { parseSimArgs, SIM_HELP, SimUsageError } from '../src/cli-options.ts';

describe('npm run sim flags', () => {
  it('has defaults for everything', () => {
    expect(parseSimArgs([])).toMatchObject({
      vehicles: 50,
      equipment: 20,
      rate: 1,
      batch: 1,
      scenario: 'normal',
      mqtt: 'mqtt://127.0.0.1:1883',
      api: 'http://127.0.0.1:8080',
      email: 'admin@demo.local',
      seed: 1,
      timeScale: 1,
      workingDay: false,
      driverCards: false,
      status: 'text',
    });
    expect(parseSimArgs([])).not.toHaveProperty('reportEvery');
  });

  it('parses every flag', () => {
    const o = parseSimArgs([
      '--vehicles=3',
      '--equipment',
      '4',
      '--rate=2',
      '--batch=10',
      '--scenario=tunnel',
      '--osm=/tmp/x.osm.pbf',
      '--mqtt=ws://127.0.0.1:8083/mqtt',
      '--credentials=/tmp/c.json',
      '--api=http://10.0.0.1:8080',
      '--email=ops@example.test',
      '--password=secret',
      '--seed=42',
      '--time-scale=60',
      '--working-day',
      '--driver-cards',
      '--duration=30',
      '--report-every=0.5',
      '--status=json',
    ]);
    expect(o).toEqual({
      vehicles: 3,
      equipment: 4,
      rate: 2,
      batch: 10,
      scenario: 'tunnel',
      osm: '/tmp/x.osm.pbf',
      mqtt: 'ws://127.0.0.1:8083/mqtt',
      credentials: '/tmp/c.json',
      api: 'http://10.0.0.1:8080',
      email: 'ops@example.test',
      password: 'secret',
      seed: 42,
      timeScale: 60,
      workingDay: true,
      driverCards: true,
      duration: 30,
      reportEvery: 0.5,
      status: 'json',
    });
  });

  it('--help is the help', () => {
    expect(parseSimArgs(['--help'])).toBe('help');
    for (const flag of ['--vehicles', '--scenario', '--time-scale', 'tunnel', 'fuel-theft'])
      expect(SIM_HELP).toContain(flag);
  });

  it('takes the alert scenarios and the demo mix, and --help describes each', () => {
    for (const name of ['speeding', 'idling', 'power-cut', 'forgotten-kit', 'demo']) {
      const opts = parseSimArgs([`--scenario=${name}`]);
      expect(opts === 'help' ? undefined : opts.scenario).toBe(name);
      expect(SIM_HELP).toMatch(new RegExp(`\\n  ${name} +\\S`));
    }
  });

  it.each([
    [['--vehicles=-1'], '--vehicles'],
    [['--vehicles=lots'], '--vehicles'],
    [['--vehicles=10001'], '--vehicles'],
    [['--rate=0'], '--rate'],
    [['--batch=1.5'], '--batch'],
    [['--scenario=apocalypse'], '--scenario'],
    [['--mqtt=http://x'], '--mqtt'],
    [['--api=ftp://x'], '--api'],
    [['--time-scale=1e9'], '--time-scale'],
    [['--seed=-3'], '--seed'],
    [['--duration=0'], '--duration'],
    [['--report-every=0'], '--report-every'],
    [['--report-every=soon'], '--report-every'],
    [['--status=xml'], '--status'],
    [['--unknown'], 'Unknown option'],
    [['stray'], 'positional'],
    [['--vehicles=0', '--equipment=0'], 'nothing to simulate'],
  ])('refuses %j naming %s', (argv, named) => {
    expect(() => parseSimArgs(argv)).toThrow(SimUsageError);
    expect(() => parseSimArgs(argv)).toThrow(named);
  });

  it('names every bad flag at once', () => {
    try {
      parseSimArgs(['--vehicles=x', '--rate=99']);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toContain('--vehicles="x"');
      expect((err as Error).message).toContain('--rate="99"');
    }
  });
});
