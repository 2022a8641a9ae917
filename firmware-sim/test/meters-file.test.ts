// The simulator's kept counters: written and read back, a damaged file reported and started
// afresh (never a crash), and kept meters before the demo company's own.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vanStartMeters, vanStartMetersOf } from '../src/company.ts';
import { readMeters, startMeters, writeMeters } from '../src/meters-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'sim-meters-'));

describe('kept meters', () => {
  it('are written atomically and read back', async () => {
    const path = join(dir, 'sub', 'meters.json');
    await writeMeters(path, new Map([['dev-1', { odometerKm: 123_456.5, engineHours: 4_409.2 }]]));
    const read = await readMeters(path);
    expect(read.problem).toBeUndefined();
    expect([...read.meters]).toEqual([['dev-1', { odometerKm: 123_456.5, engineHours: 4_409.2 }]]);
  });

  it('from a missing file are none; from a damaged one are none, with the reason', async () => {
    expect((await readMeters(join(dir, 'nope.json'))).meters.size).toBe(0);
    for (const [name, text] of [
      ['broken.json', '{"vehicles": {"dev-1": {"odometerKm": 12'],
      ['negative.json', '{"vehicles": {"dev-1": {"odometerKm": -5, "engineHours": 1}}}'],
      ['shape.json', '[1, 2, 3]'],
    ] as const) {
      writeFileSync(join(dir, name), text);
      const read = await readMeters(join(dir, name));
      expect(read.meters.size, name).toBe(0);
      expect(read.problem, name).toBeTruthy();
    }
  });

  it("come before the demo company's, which come before the seed's", () => {
    const company = vanStartMetersOf([
      { id: 'a', name: 'sim-vehicle-0001' },
      { id: 'b', name: 'sim-vehicle-0002' },
      { id: 'c', name: 'truck-7' },
    ]);
    expect([...company.keys()]).toEqual(['a', 'b']);
    const merged = startMeters(new Map([['a', { odometerKm: 1, engineHours: 1 }]]), company);
    expect(merged.get('a')).toEqual({ odometerKm: 1, engineHours: 1 });
    expect(merged.get('b')).toEqual(company.get('b'));
    expect(merged.has('c')).toBe(false);
  });

  it('of a demo van grow with its age, an engine hour per 28 km', () => {
    const old = vanStartMeters(0, 2016);
    const young = vanStartMeters(0, 2025);
    expect(old.odometerKm).toBeGreaterThan(young.odometerKm);
    expect(old.engineHours).toBeCloseTo(old.odometerKm / 28, 0);
  });
});
