// A project's share of its vehicles' running costs: each booked asset's fuel and maintenance
// over the months of the project's jobs, allocated by the use the project made of it in that
// time. Fuel follows distance (what burns it on the road) and maintenance engine hours (what
// wears an engine, and the only meter a generator has); an asset without the one figure falls
// back to the other, and one the project never used gets nothing. Pure: the repository reads.

export interface AssetUse {
  assetId: string;
  /** Driven for the project's jobs. */
  projectKm: number;
  projectEngineS: number;
  /** Driven in the whole period, for anyone. */
  periodKm: number;
  periodEngineS: number;
  fuelMinor: bigint;
  maintenanceMinor: bigint;
}

export interface AssetAllocation extends AssetUse {
  fuelAllocatedMinor: bigint;
  maintenanceAllocatedMinor: bigint;
}

/** Shares in millionths: bigint money times a share without floating minor units. */
const PARTS = 1_000_000n;

function share(part: number, whole: number): bigint {
  if (!(whole > 0) || !(part > 0)) return 0n;
  return BigInt(Math.round(Math.min(1, part / whole) * Number(PARTS)));
}

/** Money times a share, rounded half up to the minor unit. */
function times(minor: bigint, parts: bigint): bigint {
  return (minor * parts + PARTS / 2n) / PARTS;
}

export function allocate(use: AssetUse): AssetAllocation {
  const byKm = share(use.projectKm, use.periodKm);
  const byHours = share(use.projectEngineS, use.periodEngineS);
  const fuelShare = use.periodKm > 0 ? byKm : byHours;
  const maintenanceShare = use.periodEngineS > 0 ? byHours : byKm;
  return {
    ...use,
    fuelAllocatedMinor: times(use.fuelMinor, fuelShare),
    maintenanceAllocatedMinor: times(use.maintenanceMinor, maintenanceShare),
  };
}
