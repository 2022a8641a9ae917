// The asset forms as data: each field of a body says how it is shown (label, input, limits) and
// how the text typed in it becomes the body's value, or the problem the API would find with it.
// One form component draws either kind's fields from this; the checks are the API's own rules
// of lengths, ranges and required fields (api/src/domains/assets/schemas.ts), while the plate's
// and VIN's rules (patterns, the check digit) stay the API's alone: its answer is shown at the
// field. Inputs hold text; "" is none, as the API reads "".

export type Read<T> = { value: T; problem?: undefined } | { problem: string };

export type InputKind = 'text' | 'number' | 'select' | 'textarea';

export interface Choice {
  value: string;
  label: string;
}

/** Choices the page loads from the API: the department tree, the organisation's places. */
export type ChoiceSource = 'departments' | 'places';

export interface Field<T> {
  label: string;
  input: InputKind;
  hint?: string;
  /** Shown after the label in brackets; 'currency' is the organisation's. */
  unit?: string;
  /** The longest text the input takes. */
  maxlength?: number;
  /** select: its options, or the list of the page they come from. */
  choices?: readonly Choice[] | ChoiceSource;
  /** select: the label of the empty option ("" is none); absent, there is none. */
  none?: string;
  /** Takes the whole width of the form (notes). */
  wide?: boolean;
  read(text: string, now: Date): Read<T>;
  show(value: T): string;
}

/** A field for every key of a body, in the order the form shows them. */
export type Fields<B> = { [K in keyof B]-?: Field<B[K]> };
export type FieldName<B> = keyof B & string;
export type FormValues<B> = Record<FieldName<B>, string>;
export type Problems<B> = Partial<Record<FieldName<B>, string>>;

interface Presentation {
  label: string;
  hint?: string;
  unit?: string;
}

const ok = <T>(value: T): Read<T> => ({ value });
const bad = (problem: string): Read<never> => ({ problem });
const showText = (value: string | null) => value ?? '';

/** Text the API trims and requires: a name, a category (`normalise`: as for optionalText). */
export function requiredText(
  p: Presentation & { what: string; max: number; normalise?: (text: string) => string },
): Field<string> {
  return {
    label: p.label,
    hint: p.hint,
    input: 'text',
    maxlength: p.max,
    read(text) {
      const t = (p.normalise ?? ((x: string) => x))(text.trim());
      if (t === '') return bad(`${p.what} is needed`);
      return t.length > p.max ? bad(`${p.what} is at most ${p.max} characters`) : ok(t);
    },
    show: (value) => value,
  };
}

/**
 * Text the API trims, "" for none. `normalise` writes it as the API stores it (a plate
 * upper-cased), so that a field typed differently but stored the same is no change.
 */
export function optionalText(
  p: Presentation & {
    what: string;
    max: number;
    /** A length the text has exactly when given (a VIN's 17). */
    exactly?: number;
    multiline?: boolean;
    normalise?: (text: string) => string;
  },
): Field<string | null> {
  return {
    label: p.label,
    hint: p.hint,
    input: p.multiline ? 'textarea' : 'text',
    maxlength: p.max,
    wide: p.multiline === true,
    read(text) {
      const t = (p.normalise ?? ((x: string) => x))(text.trim());
      if (t === '') return ok(null);
      if (p.exactly !== undefined && t.length !== p.exactly)
        return bad(`${p.what} is ${p.exactly} characters, not ${t.length}`);
      return t.length > p.max ? bad(`${p.what} is at most ${p.max} characters`) : ok(t);
    },
    show: showText,
  };
}

/** A number as people type it: spaces between thousands and a decimal comma are fine. */
export function parseNumber(text: string): number | undefined {
  const t = text.replace(/[\s\u00a0_]/g, '');
  const dotted = t.includes('.') ? t : t.replace(',', '.');
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(dotted)) return undefined;
  const n = Number(dotted);
  return Number.isFinite(n) ? n : undefined;
}

interface NumberRule {
  what: string;
  /** "a number of litres" */
  kind: string;
  min: number;
  /** The minimum itself is not allowed (a tank holds more than 0 litres). */
  above?: boolean;
  max: number | ((now: Date) => number);
  /** What to say out of range, instead of naming the bound passed. */
  rangeProblem?: string;
  integer?: boolean;
  /** Most digits after the point (cents: 2). */
  decimals?: number;
}

function numberProblem(n: number, rule: NumberRule, now: Date): string | undefined {
  if (rule.integer && !Number.isInteger(n)) return `${rule.what} is a whole number`;
  if (rule.decimals !== undefined && Math.round(n * 10 ** rule.decimals) / 10 ** rule.decimals !== n)
    return `${rule.what} has at most ${rule.decimals} decimals`;
  if (rule.above ? n <= rule.min : n < rule.min)
    return rule.rangeProblem ?? `${rule.what} is ${rule.above ? 'more than' : 'at least'} ${rule.min}`;
  const max = typeof rule.max === 'function' ? rule.max(now) : rule.max;
  return n > max ? (rule.rangeProblem ?? `${rule.what} is at most ${max}`) : undefined;
}

/** A number field; an empty input is `empty` (null, or 0 where the API has no "none"). */
function numberField<E extends null | 0>(p: Presentation & NumberRule, empty: E): Field<number | E> {
  return {
    label: p.label,
    hint: p.hint,
    unit: p.unit,
    input: 'number',
    read(text, now) {
      if (text.trim() === '') return ok(empty);
      const n = parseNumber(text);
      if (n === undefined) return bad(`${p.what} is ${p.kind}`);
      const problem = numberProblem(n, p, now);
      return problem === undefined ? ok(n) : bad(problem);
    },
    show: (value) => (value === null ? '' : String(value)),
  };
}

/** A number that may be left empty (null): a model year, a tank capacity, a value. */
export const optionalNumber = (p: Presentation & NumberRule): Field<number | null> => numberField(p, null);

/** A number the API never has empty: "" is 0 (an offset). */
export const zeroOrNumber = (p: Presentation & NumberRule): Field<number> => numberField(p, 0);

const choicesOf = <T extends string>(options: readonly T[], labels: Record<T, string>): Choice[] =>
  options.map((value) => ({ value, label: labels[value] }));

/** One of a list, required. */
export function oneOf<T extends string>(
  p: Presentation & { options: readonly T[]; labels: Record<T, string> },
): Field<T> {
  return {
    label: p.label,
    input: 'select',
    choices: choicesOf(p.options, p.labels),
    read: (text) => (p.options.includes(text as T) ? ok(text as T) : bad('choose one of the list')),
    show: (value) => value,
  };
}

/** One of a list, or none. */
export function oneOfOrNone<T extends string>(
  p: Presentation & { options: readonly T[]; labels: Record<T, string>; none: string },
): Field<T | null> {
  return {
    label: p.label,
    input: 'select',
    choices: choicesOf(p.options, p.labels),
    none: p.none,
    read: (text) =>
      text === '' ? ok(null) : p.options.includes(text as T) ? ok(text as T) : bad('choose one of the list'),
    show: (value) => value ?? '',
  };
}

/** The id of something the page lists (a department, a place), or none. */
export function reference(p: Presentation & { source: ChoiceSource; none: string }): Field<string | null> {
  return {
    label: p.label,
    input: 'select',
    choices: p.source,
    none: p.none,
    read: (text) => ok(text === '' ? null : text),
    show: showText,
  };
}

/** The label as the form shows it: "Tank capacity (l)", "Replacement value (EUR)". */
export function fieldLabel(field: Pick<Field<unknown>, 'label' | 'unit'>, currency: string): string {
  if (field.unit === undefined) return field.label;
  return `${field.label} (${field.unit === 'currency' ? currency : field.unit})`;
}

export function fieldNames<B>(fields: Fields<B>): FieldName<B>[] {
  return Object.keys(fields) as FieldName<B>[];
}

/** The inputs' texts for a body (an asset being edited, or the defaults of a new one). */
export function showAll<B>(fields: Fields<B>, item: B): FormValues<B> {
  const values = {} as FormValues<B>;
  for (const name of fieldNames(fields)) values[name] = fields[name].show(item[name]);
  return values;
}

/** A new one's body: what each field reads from an empty input, and `given` for those that need a value. */
export function blank<B>(fields: Fields<B>, given: Partial<B>): B {
  const body = { ...given } as B;
  for (const name of fieldNames(fields)) {
    if (name in given) continue;
    const read = fields[name].read('', new Date());
    if (read.problem !== undefined) throw new Error(`the field ${name} has no empty value: give one`);
    body[name] = read.value;
  }
  return body;
}

/** The body the inputs say, or every problem found (one per field). */
export function readAll<B>(
  fields: Fields<B>,
  values: FormValues<B>,
  now = new Date(),
): { ok: true; body: B } | { ok: false; problems: Problems<B> } {
  const body = {} as B;
  const problems: Problems<B> = {};
  for (const name of fieldNames(fields)) {
    const read = fields[name].read(values[name] ?? '', now);
    if (read.problem !== undefined) problems[name] = read.problem;
    else body[name] = read.value;
  }
  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, body };
}

/** What a PATCH sends: the fields whose value differs from the asset's. */
export function changedFields<B>(fields: Fields<B>, body: B, original: B): Partial<B> {
  const changes: Partial<B> = {};
  for (const name of fieldNames(fields)) if (body[name] !== original[name]) changes[name] = body[name];
  return changes;
}
