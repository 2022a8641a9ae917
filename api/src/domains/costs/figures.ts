// The derived figures of costs, as plain functions over what the repository reads: distance and
// engine hours between two moments from meter readings, consumption from full fill-up to full
// fill-up, and cost per km and per engine hour, all money in minor units (bigint) until it is
// written out. No database, no clock.
import { currencyDigits, formatMoney } from '@fleet/shared/money';

export interface Reading {
  value: number;
  at: number;
}

/**
 * The meter at `t`: the newest reading at or before it, else (nothing that early) the first one
 * after it. Undefined with no readings at all.
 */
export function meterAt(sorted: readonly Reading[], t: number): number | undefined {
  let before: Reading | undefined;
  for (const r of sorted) {
    if (r.at <= t) before = r;
    else return (before ?? r).value;
  }
  return before?.value;
}

/** How far a meter moved between two moments (readings sorted by time); null without two readings in reach. */
export function meterDelta(sorted: readonly Reading[], from: number, to: number): number | null {
  const inRange = sorted.some((r) => r.at >= from && r.at <= to);
  if (sorted.length < 2 || !inRange) return null;
  const start = meterAt(sorted, from);
  const end = meterAt(sorted, to);
  if (start === undefined || end === undefined) return null;
  return Math.max(0, end - start);
}

export interface FillUp {
  odometerKm: number | null;
  litres: number;
  partial: boolean;
  at: number;
}

/**
 * Litres per 100 km from full fill-up to full fill-up: the fuel put in after one full tank,
 * up to and including the next full one, over the distance between their odometers. A partial
 * fill-up closes no interval (its litres count in the next full one's); fill-ups without an
 * odometer are left out. Null when no interval closes.
 */
export function consumption(
  fills: readonly FillUp[],
): { litres: number; distanceKm: number; lPer100Km: number } | null {
  const sorted = fills.filter((f) => f.odometerKm !== null).sort((a, b) => a.at - b.at);
  let litres = 0;
  let distance = 0;
  let lastFull: FillUp | undefined;
  let pending = 0;
  for (const f of sorted) {
    if (lastFull === undefined) {
      if (!f.partial) lastFull = f;
      continue;
    }
    pending += f.litres;
    if (f.partial) continue;
    const d = (f.odometerKm as number) - (lastFull.odometerKm as number);
    if (d > 0) {
      litres += pending;
      distance += d;
    }
    pending = 0;
    lastFull = f;
  }
  if (distance <= 0) return null;
  return { litres, distanceKm: distance, lPer100Km: Math.round((litres / distance) * 100 * 100) / 100 };
}

/** minor / figure as a decimal string in the currency's units, to four decimals ("0.1834" EUR per km). */
export function moneyPer(minor: bigint, figure: number | null, currency: string): string | null {
  if (figure === null || !(figure > 0)) return null;
  // In integers: the figure to the thousandth, the result to 1/10,000 of a unit, half up.
  const figureThousandths = BigInt(Math.round(figure * 1000));
  if (figureThousandths === 0n) return null;
  const denominator = figureThousandths * 10n ** BigInt(currencyDigits(currency));
  const tenThousandths = (minor * 10_000n * 1000n * 2n + denominator) / (denominator * 2n);
  const text = tenThousandths.toString().padStart(5, '0');
  return `${text.slice(0, -4)}.${text.slice(-4)}`;
}

export interface CostInputs {
  fuelMinor: bigint;
  maintenanceMinor: bigint;
  otherMinor: bigint;
  byCategory: ReadonlyMap<string, bigint>;
  distanceKm: number | null;
  engineHours: number | null;
  fuelLitres: number;
  fills: readonly FillUp[];
}

export function costFigures(inputs: CostInputs, currency: string) {
  const total = inputs.fuelMinor + inputs.maintenanceMinor + inputs.otherMinor;
  const money = (m: bigint) => formatMoney(m, currency);
  const c = consumption(inputs.fills);
  const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
  return {
    costs: {
      fuel: money(inputs.fuelMinor),
      maintenance: money(inputs.maintenanceMinor),
      other: money(inputs.otherMinor),
      total: money(total),
    },
    byCategory: Object.fromEntries([...inputs.byCategory].map(([k, v]) => [k, money(v)])),
    distanceKm: round1(inputs.distanceKm),
    engineHours: round1(inputs.engineHours),
    costPerKm: moneyPer(total, inputs.distanceKm, currency),
    costPerEngineHour: moneyPer(total, inputs.engineHours, currency),
    fuelLitres: Math.round(inputs.fuelLitres * 1000) / 1000,
    consumptionLPer100Km: c?.lPer100Km ?? null,
  };
}
