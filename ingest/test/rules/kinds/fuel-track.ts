// Fuel level scripts for the fuel_drop and refuel tests: a level per minute with seeded noise
// of up to ±3 % (a sender in a sloshing tank), stationary unless driving is asked for.
import type { TelemetryRecord } from '@fleet/shared';
import { mulberry32, T0, Track } from '../support.ts';

export interface FuelLeg {
  /** Minutes of this leg. */
  min: number;
  /** Level at the leg's start and end (linear between). */
  from: number;
  to?: number;
  speedKmh?: number;
}

export function fuelTrack(
  legs: FuelLeg[],
  {
    seed = 1,
    noisePct = 3,
    everyS = 60,
    litresOf,
  }: { seed?: number; noisePct?: number; everyS?: number; litresOf?: number } = {},
): TelemetryRecord[] {
  const random = mulberry32(seed);
  const track = new Track('van', { at: T0, everyS });
  for (const leg of legs) {
    const n = Math.round((leg.min * 60) / everyS);
    for (let i = 1; i <= n; i++) {
      const level = leg.from + ((leg.to ?? leg.from) - leg.from) * (i / n);
      const fuelLevelPct = Math.min(100, Math.max(0, level + (random() * 2 - 1) * noisePct));
      const moving = (leg.speedKmh ?? 0) > 0;
      const patch = {
        fuelLevelPct,
        ignition: moving,
        ...(litresOf ? { fuelLevelL: (fuelLevelPct / 100) * litresOf } : {}),
      };
      if (moving) track.drive(everyS, { speedKmh: leg.speedKmh as number, ...patch });
      else track.hold(everyS, patch);
    }
  }
  return track.records;
}
