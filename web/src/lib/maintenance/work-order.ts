// A work order's page without its markup: the state buttons each state allows (the API's
// transition table, checked equal by web/test/maintenance-work-order.test.ts), and the forms
// the workshop fills in (a cost line, the completion, a meter reading, a file to attach) turned
// into the API's bodies, or into problems by field before anything is sent. Amounts stay the
// decimal strings people typed ("45.50"): money is never a float here, and totals are the
// server's.
import type {
  NewMeterReading,
  NewWorkOrderLine,
  WorkOrderState,
  WorkOrderTransition,
} from '@fleet/api/contract';
import { currencyDigits, MONEY_PATTERN } from '@fleet/shared/money';
import {
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_TYPES,
  type AttachmentType,
  type LineKind,
  MAINTENANCE_LIMITS,
} from '../api/maintenance.ts';

/** Where each state may go (api/src/domains/work-orders/repository.ts, TRANSITIONS). */
export const TRANSITIONS: Record<WorkOrderState, readonly WorkOrderState[]> = {
  open: ['in_progress', 'on_hold', 'completed', 'cancelled'],
  in_progress: ['open', 'on_hold', 'completed', 'cancelled'],
  on_hold: ['open', 'in_progress', 'completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

export const isFinished = (state: WorkOrderState): boolean => TRANSITIONS[state].length === 0;

export interface StateAction {
  to: WorkOrderState;
  label: string;
  /** The step the workshop takes next from here: drawn as the main button. */
  primary: boolean;
  /** Completing asks for the meters first; cancelling asks to be sure. */
  asks: 'completion' | 'confirm' | undefined;
}

/** The order the buttons stand in: work on, pause, back to the queue, done, dropped. */
const ORDER: readonly WorkOrderState[] = ['in_progress', 'on_hold', 'open', 'completed', 'cancelled'];

function actionLabel(from: WorkOrderState, to: WorkOrderState): string {
  switch (to) {
    case 'in_progress':
      return from === 'on_hold' ? 'Resume work' : 'Start work';
    case 'on_hold':
      return 'Put on hold';
    case 'open':
      return 'Back to the queue';
    case 'completed':
      return 'Complete…';
    default:
      return 'Cancel work order';
  }
}

/** The buttons a work order in `state` shows: none once completed or cancelled. */
export function stateActions(state: WorkOrderState): StateAction[] {
  const allowed = TRANSITIONS[state];
  const main: WorkOrderState = state === 'in_progress' ? 'completed' : 'in_progress';
  return ORDER.filter((to) => allowed.includes(to)).map((to) => ({
    to,
    label: actionLabel(state, to),
    primary: to === main,
    asks: to === 'completed' ? 'completion' : to === 'cancelled' ? 'confirm' : undefined,
  }));
}

type Problems<F extends string> = Partial<Record<F, string>>;
export type FormResult<B, F extends string> = { ok: true; body: B } | { ok: false; problems: Problems<F> };

/** A number as people type it: "1,5" is 1.5; undefined when it is none. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim().replace(',', '.');
  if (t === '' || !/^[0-9]*\.?[0-9]+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * "45", "45.5" or "45,50" as the API's decimal string ("45.5"); undefined when it is not an
 * amount of the currency (a sign, letters, more decimals than the currency has).
 */
export function parseAmount(text: string, currency: string): string | undefined {
  const t = text.trim().replace(',', '.');
  if (!MONEY_PATTERN.test(t)) return undefined;
  const decimals = t.split('.')[1]?.length ?? 0;
  return decimals > currencyDigits(currency) ? undefined : t;
}

export interface LineForm {
  kind: LineKind;
  description: string;
  partNumber: string;
  quantity: string;
  unitCost: string;
}
export type LineField = 'kind' | 'description' | 'partNumber' | 'quantity' | 'unitCost';
export const LINE_FIELDS: readonly LineField[] = [
  'kind',
  'description',
  'partNumber',
  'quantity',
  'unitCost',
];

export function blankLine(kind: LineKind = 'part'): LineForm {
  return { kind, description: '', partNumber: '', quantity: '1', unitCost: '' };
}

/** The line as POST /work-orders/{id}/lines takes it, in the work order's currency. */
export function lineBody(form: LineForm, currency: string): FormResult<NewWorkOrderLine, LineField> {
  const problems: Problems<LineField> = {};
  const description = form.description.trim();
  if (description === '' || description.length > MAINTENANCE_LIMITS.lineDescription)
    problems.description = `a description is 1..${MAINTENANCE_LIMITS.lineDescription} characters`;
  const partNumber = form.partNumber.trim();
  if (partNumber.length > MAINTENANCE_LIMITS.partNumber)
    problems.partNumber = `a part number is at most ${MAINTENANCE_LIMITS.partNumber} characters`;
  const quantity = parseNumber(form.quantity);
  if (quantity === undefined || quantity <= 0) problems.quantity = 'a quantity is a number more than 0';
  else if (Math.abs(quantity * 1000 - Math.round(quantity * 1000)) > 1e-6)
    problems.quantity = 'a quantity has at most three decimals';
  else if (quantity > 999_999_999) problems.quantity = 'a quantity is at most 999,999,999';
  const unitCost = parseAmount(form.unitCost, currency);
  if (unitCost === undefined)
    problems.unitCost = `a price in ${currency} such as 12.50 (at most ${currencyDigits(currency)} decimals, no sign)`;
  if (Object.keys(problems).length > 0 || quantity === undefined || unitCost === undefined)
    return { ok: false, problems };
  return {
    ok: true,
    body: {
      kind: form.kind,
      description,
      ...(partNumber === '' || form.kind !== 'part' ? {} : { partNumber }),
      quantity,
      unitCost,
      currency,
    },
  };
}

export interface CompletionForm {
  odometerKm: string;
  engineHours: string;
  resolution: string;
}
export type CompletionField = 'odometerKm' | 'engineHours' | 'completedAt' | 'resolution';
export const COMPLETION_FIELDS: readonly CompletionField[] = [
  'odometerKm',
  'engineHours',
  'completedAt',
  'resolution',
];

/** The completion form, prefilled with the asset's meters as they are now (empty where it has none). */
export function completionForm(meters: {
  odometerKm: { value: number } | null;
  engineHours: { value: number } | null;
}): CompletionForm {
  return {
    odometerKm: meters.odometerKm === null ? '' : String(meters.odometerKm.value),
    engineHours: meters.engineHours === null ? '' : String(meters.engineHours.value),
    resolution: '',
  };
}

/**
 * POST /work-orders/{id}/state to completed: the meters given (empty: the asset's own), what
 * was done. Whether a reading is below the last one is the server's to say (it knows the last).
 */
export function completionBody(form: CompletionForm): FormResult<WorkOrderTransition, CompletionField> {
  const problems: Problems<CompletionField> = {};
  const meter = (text: string, field: 'odometerKm' | 'engineHours', max: number): number | undefined => {
    if (text.trim() === '') return undefined;
    const n = parseNumber(text);
    if (n === undefined || n > max) problems[field] = `a reading of 0..${max.toLocaleString('en-GB')}`;
    return n;
  };
  const odometerKm = meter(form.odometerKm, 'odometerKm', 99_999_999);
  const engineHours = meter(form.engineHours, 'engineHours', 9_999_999);
  const resolution = form.resolution.trim();
  if (resolution.length > MAINTENANCE_LIMITS.description)
    problems.resolution = `at most ${MAINTENANCE_LIMITS.description} characters`;
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  return {
    ok: true,
    body: {
      state: 'completed',
      ...(odometerKm === undefined ? {} : { odometerKm }),
      ...(engineHours === undefined ? {} : { engineHours }),
      ...(resolution === '' ? {} : { resolution }),
    },
  };
}

export type ReadingField = 'meter' | 'value' | 'readAt' | 'note';
export const READING_FIELDS: readonly ReadingField[] = ['meter', 'value', 'readAt', 'note'];

/** A reading typed in (an asset without a device reading that meter); read now. */
export function readingBody(
  meter: NewMeterReading['meter'],
  value: string,
  note: string,
): FormResult<NewMeterReading, ReadingField> {
  const n = parseNumber(value);
  if (n === undefined || n > 99_999_999)
    return { ok: false, problems: { value: 'a reading is a number of 0 or more' } };
  const text = note.trim();
  if (text.length > MAINTENANCE_LIMITS.readingNote)
    return { ok: false, problems: { note: `at most ${MAINTENANCE_LIMITS.readingNote} characters` } };
  return { ok: true, body: { meter, value: n, ...(text === '' ? {} : { note: text }) } };
}

/** Why a file cannot be attached, before it is read; undefined when it can. */
export function attachmentProblem(file: { name: string; type: string; size: number }): string | undefined {
  if (!(ATTACHMENT_TYPES as readonly string[]).includes(file.type))
    return `${file.name} is not a photo (JPEG, PNG, WebP), a PDF or a text file`;
  if (file.size === 0) return `${file.name} is empty`;
  if (file.size > ATTACHMENT_MAX_BYTES) return `${file.name} is over 5 MiB`;
  if (file.name.length > MAINTENANCE_LIMITS.fileName) return 'the file name is over 200 characters';
  return undefined;
}

export const attachmentType = (type: string): AttachmentType | undefined =>
  ATTACHMENT_TYPES.find((t) => t === type);

/** Standard, padded base64 of the bytes (the API's dataBase64), in chunks so a large file does not overflow the call stack. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK)
    binary += String.fromCharCode(...bytes.subarray(i, Math.min(i + CHUNK, bytes.length)));
  return btoa(binary);
}

/** A data URL's bytes and type, to hand a downloaded attachment to the browser as a file. */
export function fromDataUrl(url: string): { type: string; bytes: Uint8Array<ArrayBuffer> } | undefined {
  const m = /^data:([^;,]+)(;base64)?,(.*)$/s.exec(url);
  if (!m) return undefined;
  const [, type = '', base64, data = ''] = m;
  if (base64 === undefined) return { type, bytes: new TextEncoder().encode(decodeURIComponent(data)) };
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return { type, bytes };
}
