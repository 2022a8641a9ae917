// Each simulated vehicle's odometer and engine hours between runs, as a tracker keeps its
// counters in flash: a restarted simulator must not turn a van's odometer back (the platform
// would refuse every reading as going backwards). A JSON file by device id, written atomically
// (a temporary file renamed over it); one that does not parse is reported and started afresh.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { VehicleMeters } from './vehicle-model.ts';

const metersFileSchema = z.object({
  vehicles: z.record(
    z.string().min(1).max(64),
    z.object({
      odometerKm: z.number().min(0).max(10_000_000),
      engineHours: z.number().min(0).max(1_000_000),
    }),
  ),
});

/** The kept meters, or none: no file yet, or one that does not parse (`problem` says why). */
export async function readMeters(
  path: string,
): Promise<{ meters: Map<string, VehicleMeters>; problem?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { meters: new Map() };
    return { meters: new Map(), problem: (err as Error).message };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { meters: new Map(), problem: 'it is not JSON' };
  }
  const checked = metersFileSchema.safeParse(parsed);
  if (!checked.success)
    return { meters: new Map(), problem: checked.error.issues[0]?.message ?? 'unexpected shape' };
  return { meters: new Map(Object.entries(checked.data.vehicles)) };
}

export async function writeMeters(path: string, meters: ReadonlyMap<string, VehicleMeters>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ vehicles: Object.fromEntries(meters) }, null, 1)}\n`);
  await rename(tmp, path);
}

/** The meters to start from: kept ones first, then the demo company's, then none (the seed's). */
export function startMeters(
  kept: ReadonlyMap<string, VehicleMeters>,
  company: ReadonlyMap<string, VehicleMeters>,
): Map<string, VehicleMeters> {
  return new Map([...company, ...kept]);
}
