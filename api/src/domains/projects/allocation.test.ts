// Project cost allocation without a database: fuel by distance, maintenance by engine hours,
// the fallbacks, nothing for an unused asset, and money that stays whole.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AssetUse, allocate } from './allocation.ts';

const use = (extra: Partial<AssetUse> = {}): AssetUse => ({
  assetId: 'van',
  projectKm: 100,
  projectEngineS: 2 * 3600,
  periodKm: 400,
  periodEngineS: 10 * 3600,
  fuelMinor: 80_000n,
  maintenanceMinor: 50_000n,
  ...extra,
});

describe('project cost allocation', () => {
  it('gives fuel by distance and maintenance by engine hours', () => {
    const a = allocate(use());
    expect(a.fuelAllocatedMinor).toBe(20_000n); // a quarter of the distance
    expect(a.maintenanceAllocatedMinor).toBe(10_000n); // a fifth of the hours
  });

  it('falls back to the other meter, and gives nothing for an asset the project did not use', () => {
    // A generator: no distance, so its fuel follows its hours too.
    const generator = allocate(use({ projectKm: 0, periodKm: 0 }));
    expect(generator.fuelAllocatedMinor).toBe(16_000n);
    expect(generator.maintenanceAllocatedMinor).toBe(10_000n);
    // A van without engine hours: maintenance by distance.
    const van = allocate(use({ projectEngineS: 0, periodEngineS: 0 }));
    expect(van.maintenanceAllocatedMinor).toBe(12_500n);
    const unused = allocate(use({ projectKm: 0, projectEngineS: 0 }));
    expect([unused.fuelAllocatedMinor, unused.maintenanceAllocatedMinor]).toEqual([0n, 0n]);
    const idle = allocate(use({ projectKm: 0, projectEngineS: 0, periodKm: 0, periodEngineS: 0 }));
    expect([idle.fuelAllocatedMinor, idle.maintenanceAllocatedMinor]).toEqual([0n, 0n]);
  });

  it('never allocates more than the cost or less than nothing, whatever the figures', () => {
    const figure = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true }));
    fc.assert(
      fc.property(
        figure,
        figure,
        figure,
        figure,
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        (projectKm, periodKm, projectEngineS, periodEngineS, fuelMinor, maintenanceMinor) => {
          const a = allocate({
            assetId: 'x',
            projectKm,
            periodKm,
            projectEngineS,
            periodEngineS,
            fuelMinor,
            maintenanceMinor,
          });
          expect(a.fuelAllocatedMinor >= 0n && a.fuelAllocatedMinor <= fuelMinor).toBe(true);
          expect(a.maintenanceAllocatedMinor >= 0n && a.maintenanceAllocatedMinor <= maintenanceMinor).toBe(
            true,
          );
        },
      ),
      { seed: 1405, numRuns: 500 },
    );
  });
});
