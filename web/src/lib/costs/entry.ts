// The cost forms turned into the API's bodies: a fill-up (by hand), a refuel the rule engine saw
// confirmed with the amount paid, and another cost of an asset or a department. The console
// checks only what it needs to build a body (a choice made, a number that is a number, a day
// that is a day); what an amount may be (its digits, the currency's decimals, the currency
// itself), how many litres a tank takes and whether a time is in the future are the API's to
// say, and its words are shown at the field (field-errors.ts). Amounts stay the strings people
// typed, a decimal comma read as the point ("54,90" → "54.90"): money is never a float here.
import type { ConfirmRefuel, CostCategory, NewCostEntry, NewFuelEntry } from '@fleet/api/contract';
import { type FormResult, parseNumber } from '../maintenance/work-order.ts';
import { zonedDayTime, zonedInstant } from '../time.ts';
import { isDay } from './range.ts';

type Problems<F extends string> = Partial<Record<F, string>>;

/** "54,90" → "54.90", spaces dropped ("1 234,50" → "1234.50"); anything else as typed, for the API to judge. */
export function amountText(text: string): string {
  const t = text.trim().replace(/[\s\u00a0\u202f]/g, '');
  return /^\d+,\d+$/.test(t) ? t.replace(',', '.') : t;
}

/** A number as typed ("45,5"), or a problem to show. Empty: undefined, no problem. */
function optionalNumber(text: string, problem: string): { value?: number; problem?: string } {
  if (text.trim() === '') return {};
  const value = parseNumber(text);
  return value === undefined ? { problem } : { value };
}

const optionalText = (text: string) => {
  const t = text.trim();
  return t === '' ? undefined : t;
};

export interface FuelForm {
  assetId: string;
  /** The organisation's calendar day and clock, as on the receipt. */
  day: string;
  time: string;
  litres: string;
  total: string;
  odometerKm: string;
  partial: boolean;
  station: string;
  note: string;
}

/** The body's fields, as the API names them in its 400s (body.total ...). */
export type FuelField =
  | 'assetId'
  | 'filledAt'
  | 'litres'
  | 'total'
  | 'currency'
  | 'odometerKm'
  | 'partial'
  | 'station'
  | 'note';
export const FUEL_FIELDS: readonly FuelField[] = [
  'assetId',
  'filledAt',
  'litres',
  'total',
  'currency',
  'odometerKm',
  'partial',
  'station',
  'note',
];
/** The form has no currency input: the API's word on it goes to the amount it is about. */
export const FUEL_ALIASES = { currency: 'total' } as const satisfies Record<string, FuelField>;

/** A blank fill-up, now in the organisation's zone. */
export function blankFuelForm(nowMs: number, timeZone: string, assetId = ''): FuelForm {
  const { day, time } = zonedDayTime(nowMs, timeZone);
  return { assetId, day, time, litres: '', total: '', odometerKm: '', partial: false, station: '', note: '' };
}

/** POST /api/v1/fuel-entries: the day and time as an instant of the organisation's zone, in its currency. */
export function fuelBody(
  form: FuelForm,
  currency: string,
  timeZone: string,
): FormResult<NewFuelEntry, FuelField> {
  const problems: Problems<FuelField> = {};
  if (form.assetId === '') problems.assetId = 'choose the vehicle or machine';
  const at = zonedInstant(form.day, form.time, timeZone);
  if (at === undefined) problems.filledAt = 'a day and a time (HH:MM) of the fill-up';
  const litres = parseNumber(form.litres);
  if (litres === undefined) problems.litres = 'litres is a number such as 45.5';
  const total = amountText(form.total);
  if (total === '') problems.total = `the amount paid in ${currency}, such as 54.90`;
  const odometer = optionalNumber(form.odometerKm, 'the odometer in whole or decimal km');
  if (odometer.problem) problems.odometerKm = odometer.problem;
  if (Object.keys(problems).length > 0 || at === undefined || litres === undefined)
    return { ok: false, problems };
  const station = optionalText(form.station);
  const note = optionalText(form.note);
  return {
    ok: true,
    body: {
      assetId: form.assetId,
      filledAt: new Date(at).toISOString(),
      litres,
      total,
      currency,
      ...(odometer.value === undefined ? {} : { odometerKm: odometer.value }),
      partial: form.partial,
      ...(station === undefined ? {} : { station }),
      ...(note === undefined ? {} : { note }),
    },
  };
}

export interface ConfirmForm {
  total: string;
  /** Empty: the litres the refuel rule measured. */
  litres: string;
  odometerKm: string;
  partial: boolean;
  station: string;
}
export type ConfirmField = 'total' | 'litres' | 'currency' | 'odometerKm' | 'partial' | 'station';
export const CONFIRM_FIELDS: readonly ConfirmField[] = [
  'total',
  'litres',
  'currency',
  'odometerKm',
  'partial',
  'station',
];

export function blankConfirmForm(): ConfirmForm {
  return { total: '', litres: '', odometerKm: '', partial: false, station: '' };
}

/**
 * POST /api/v1/alerts/{id}/fuel-entry. Without measured litres (the tank's size unknown) the
 * litres are asked for, as the API would refuse the entry without them.
 */
export function confirmBody(
  form: ConfirmForm,
  measuredLitres: number | null,
  currency: string,
): FormResult<ConfirmRefuel, ConfirmField> {
  const problems: Problems<ConfirmField> = {};
  const total = amountText(form.total);
  if (total === '') problems.total = `the amount paid in ${currency}, such as 54.90`;
  const litres = optionalNumber(form.litres, 'litres is a number such as 45.5');
  if (litres.problem) problems.litres = litres.problem;
  else if (litres.value === undefined && measuredLitres === null)
    problems.litres = 'the litres from the receipt (the tank’s size is not known, so none were measured)';
  const odometer = optionalNumber(form.odometerKm, 'the odometer in whole or decimal km');
  if (odometer.problem) problems.odometerKm = odometer.problem;
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const station = optionalText(form.station);
  return {
    ok: true,
    body: {
      total,
      currency,
      ...(litres.value === undefined ? {} : { litres: litres.value }),
      ...(odometer.value === undefined ? {} : { odometerKm: odometer.value }),
      partial: form.partial,
      ...(station === undefined ? {} : { station }),
    },
  };
}

export interface CostForm {
  /** Whose cost it is: an asset's, or a department's own (a depot's insurance). */
  target: 'asset' | 'department';
  assetId: string;
  departmentId: string;
  category: CostCategory | '';
  incurredOn: string;
  amount: string;
  description: string;
}
export type CostField =
  | 'assetId'
  | 'departmentId'
  | 'category'
  | 'incurredOn'
  | 'amount'
  | 'currency'
  | 'description';
export const COST_FIELDS: readonly CostField[] = [
  'assetId',
  'departmentId',
  'category',
  'incurredOn',
  'amount',
  'currency',
  'description',
];
export const COST_ALIASES = { currency: 'amount' } as const satisfies Record<string, CostField>;

/** A blank cost, today in the organisation's zone. */
export function blankCostForm(nowMs: number, timeZone: string): CostForm {
  return {
    target: 'asset',
    assetId: '',
    departmentId: '',
    category: '',
    incurredOn: zonedDayTime(nowMs, timeZone).day,
    amount: '',
    description: '',
  };
}

/** POST /api/v1/cost-entries, in the organisation's currency. */
export function costBody(form: CostForm, currency: string): FormResult<NewCostEntry, CostField> {
  const problems: Problems<CostField> = {};
  if (form.target === 'asset' && form.assetId === '') problems.assetId = 'choose the vehicle or machine';
  if (form.target === 'department' && form.departmentId === '')
    problems.departmentId = 'choose the department';
  if (form.category === '') problems.category = 'choose what it was for';
  if (!isDay(form.incurredOn)) problems.incurredOn = 'the day it was paid or incurred';
  const amount = amountText(form.amount);
  if (amount === '') problems.amount = `the amount in ${currency}, such as 12.50`;
  if (Object.keys(problems).length > 0 || form.category === '') return { ok: false, problems };
  const description = optionalText(form.description);
  return {
    ok: true,
    body: {
      ...(form.target === 'asset' ? { assetId: form.assetId } : { departmentId: form.departmentId }),
      category: form.category,
      incurredOn: form.incurredOn,
      amount,
      currency,
      ...(description === undefined ? {} : { description }),
    },
  };
}
