// The rule form, derived from GET /api/v1/rules/catalogue: each kind's parameters come as JSON
// Schema (draft 2020-12, from the same zod schemas the API checks with), and each becomes one
// input: a number with the unit its name carries (units.ts) and its bounds, a checkbox, a select
// of an enum, checkboxes of an enum list, a multi-select of things by id (a list of uuids: the
// service plans of service_due, ID_SOURCES), or a comma list of codes. Defaults are filled in. The
// form checks what a schema says plainly (a number, whole, within bounds, required); the rest
// (a threshold's range per field, code patterns, scope ids) is the API's, whose field errors
// land at these inputs through field-errors.ts (`body.params.limitKmh` → `params.limitKmh`).
import type { Rule, RuleCatalogue } from '@fleet/api/contract';
import type { AlertSeverity, RuleKind } from '@fleet/shared/rules';
import {
  copyHours,
  hoursProblems,
  WEEKDAYS,
  type Weekday,
  type WorkingHours,
} from '../admin/working-hours.ts';
import type { PreviewRule } from '../api/alerting.ts';
import { PLACE_CATEGORIES, type PlaceCategory } from '../api/management.ts';
import { nameUnit, unitLabel } from './units.ts';

export type CatalogueKind = RuleCatalogue['kinds'][number];

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
}

interface FieldBase {
  name: string;
  /** `Limit (km/h)`. */
  label: string;
  unit: string | undefined;
  required: boolean;
}

export type ParamField =
  | (FieldBase & {
      type: 'number';
      integer: boolean;
      min: number | undefined;
      max: number | undefined;
      default: number | undefined;
    })
  | (FieldBase & { type: 'boolean'; default: boolean })
  | (FieldBase & { type: 'choice'; options: string[]; default: string | undefined })
  | (FieldBase & {
      type: 'choices';
      options: string[];
      default: string[];
      minItems: number;
      maxItems: number | undefined;
    })
  | (FieldBase & {
      type: 'ids';
      /** What the ids name, for the page to offer them by name; undefined: typed as a list. */
      source: IdSource | undefined;
      default: string[];
      maxItems: number | undefined;
    })
  | (FieldBase & {
      type: 'list';
      pattern: string | undefined;
      default: string[];
      maxItems: number | undefined;
    })
  | (FieldBase & { type: 'text'; default: string | undefined });

/** What a list of ids names, by parameter name: the page loads these and offers them by name. */
export const ID_SOURCES = { planIds: 'servicePlans' } as const satisfies Record<string, string>;
export type IdSource = (typeof ID_SOURCES)[keyof typeof ID_SOURCES];

/** Words for parameters whose names say little on their own. */
const PARAM_LABELS: Readonly<Record<string, string>> = {
  limitKmh: 'Speed limit',
  toleranceKmh: 'Tolerance',
  useVehicleLimit: "Use the vehicle's own limit",
  usePlaceLimits: "Use places' limits (the lower applies)",
  clearDelayS: 'Clear after',
  codePrefixes: 'Only codes starting with',
  ignoreCodes: 'Ignore codes',
  above: 'Above',
  below: 'Below',
  afterS: 'No data for',
  levels: 'Raise at',
  planIds: 'Only these service plans',
  graceMin: 'Late by more than',
};

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

function typeOf(s: JsonSchema): string | undefined {
  return Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
}

/** One input per parameter of a kind, in the schema's order. */
export function paramFields(schema: Record<string, unknown>): ParamField[] {
  const s = schema as JsonSchema;
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).map(([name, p]): ParamField => {
    const base: FieldBase = {
      name,
      label: unitLabel(name, PARAM_LABELS),
      unit: nameUnit(name).unit,
      required: required.has(name),
    };
    const type = typeOf(p);
    if (type === 'number' || type === 'integer')
      return {
        ...base,
        type: 'number',
        integer: type === 'integer',
        min: p.minimum ?? p.exclusiveMinimum,
        max: p.maximum ?? p.exclusiveMaximum,
        default: typeof p.default === 'number' ? p.default : undefined,
      };
    if (type === 'boolean') return { ...base, type: 'boolean', default: p.default === true };
    if (type === 'string' && Array.isArray(p.enum))
      return {
        ...base,
        type: 'choice',
        options: strings(p.enum),
        default: typeof p.default === 'string' ? p.default : undefined,
      };
    if (type === 'array' && p.items && Array.isArray(p.items.enum))
      return {
        ...base,
        type: 'choices',
        options: strings(p.items.enum),
        default: strings(p.default),
        minItems: p.minItems ?? 0,
        maxItems: p.maxItems,
      };
    if (type === 'array' && p.items?.format === 'uuid')
      return {
        ...base,
        type: 'ids',
        source: (ID_SOURCES as Readonly<Record<string, IdSource>>)[name],
        default: strings(p.default),
        maxItems: p.maxItems,
      };
    if (type === 'array')
      return {
        ...base,
        type: 'list',
        pattern: p.items?.pattern,
        default: strings(p.default),
        maxItems: p.maxItems,
      };
    return { ...base, type: 'text', default: typeof p.default === 'string' ? p.default : undefined };
  });
}

/** What the inputs hold: numbers and lists as typed text, checkboxes as booleans, enum lists as arrays. */
export type ParamValue = string | boolean | string[];
export type ParamValues = Record<string, ParamValue>;

/** The inputs' values for a rule's parameters, or the defaults for a new rule. */
export function paramValues(
  fields: readonly ParamField[],
  params: Record<string, unknown> = {},
): ParamValues {
  const values: ParamValues = {};
  for (const f of fields) {
    const given = params[f.name];
    switch (f.type) {
      case 'number': {
        const n = typeof given === 'number' ? given : f.default;
        values[f.name] = n === undefined ? '' : String(n);
        break;
      }
      case 'boolean':
        values[f.name] = typeof given === 'boolean' ? given : f.default;
        break;
      case 'choice':
        values[f.name] = typeof given === 'string' ? given : (f.default ?? '');
        break;
      case 'choices':
      case 'ids':
        values[f.name] = Array.isArray(given) ? strings(given) : [...f.default];
        break;
      case 'list':
        values[f.name] = (Array.isArray(given) ? strings(given) : f.default).join(', ');
        break;
      default:
        values[f.name] = typeof given === 'string' ? given : (f.default ?? '');
    }
  }
  return values;
}

const fmt = (n: number) => String(n);

/** A number input's problem, as the API would word it; undefined when it is fine. */
function numberProblem(f: Extract<ParamField, { type: 'number' }>, text: string): string | undefined {
  const n = Number(text.replace(',', '.'));
  if (!Number.isFinite(n)) return 'a number';
  if (f.integer && !Number.isInteger(n)) return 'a whole number';
  const unit = f.unit === undefined ? '' : ` ${f.unit}`;
  if (f.min !== undefined && n < f.min) return `at least ${fmt(f.min)}${unit}`;
  if (f.max !== undefined && n > f.max) return `at most ${fmt(f.max)}${unit}`;
  return undefined;
}

export interface ParamsResult {
  params: Record<string, unknown>;
  /** By field name. */
  problems: Record<string, string>;
}

/** The parameters to send: numbers parsed, empty optional inputs left out (their defaults apply). */
export function paramsFromValues(fields: readonly ParamField[], values: ParamValues): ParamsResult {
  const params: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.type === 'boolean') {
      params[f.name] = v === true;
      continue;
    }
    if (f.type === 'choices') {
      const list = Array.isArray(v) ? f.options.filter((o) => v.includes(o)) : [];
      if (list.length < f.minItems) problems[f.name] = `choose at least ${f.minItems}`;
      else params[f.name] = list;
      continue;
    }
    if (f.type === 'ids') {
      // Chosen by name, or typed as a list where the page has no names (ids keep their case).
      const list = Array.isArray(v)
        ? v
        : typeof v === 'string'
          ? v.split(/[\s,;]+/).filter((x) => x !== '')
          : [];
      if (f.maxItems !== undefined && list.length > f.maxItems) problems[f.name] = `at most ${f.maxItems}`;
      else params[f.name] = [...new Set(list)];
      continue;
    }
    const text = typeof v === 'string' ? v.trim() : '';
    if (f.type === 'list') {
      params[f.name] =
        text === ''
          ? []
          : text
              .split(/[\s,;]+/)
              .filter((x) => x !== '')
              .map((x) => x.toUpperCase());
      continue;
    }
    if (text === '') {
      if (f.required) problems[f.name] = 'required';
      continue;
    }
    if (f.type === 'number') {
      const problem = numberProblem(f, text);
      if (problem) problems[f.name] = problem;
      else params[f.name] = Number(text.replace(',', '.'));
    } else {
      params[f.name] = text;
    }
  }
  return { params, problems };
}

export interface RuleScopeForm {
  departmentIds: string[];
  assetIds: string[];
  placeIds: string[];
  placeCategories: PlaceCategory[];
}

export interface RuleForm {
  name: string;
  kind: RuleKind;
  severity: AlertSeverity;
  enabled: boolean;
  values: ParamValues;
  scope: RuleScopeForm;
  /** null: always on. */
  schedule: WorkingHours | null;
}

export function emptyHours(): WorkingHours {
  return Object.fromEntries(WEEKDAYS.map((d) => [d, []])) as unknown as WorkingHours;
}

/** Weekdays 07:00-18:00: where a new schedule starts. */
export function officeHours(): WorkingHours {
  const hours = emptyHours();
  for (const d of ['mon', 'tue', 'wed', 'thu', 'fri'] as const) hours[d] = [{ from: '07:00', to: '18:00' }];
  return hours;
}

export function newRuleForm(kind: CatalogueKind): RuleForm {
  return {
    name: '',
    kind: kind.kind,
    severity: 'warning',
    enabled: true,
    values: paramValues(paramFields(kind.params)),
    scope: { departmentIds: [], assetIds: [], placeIds: [], placeCategories: [] },
    schedule: null,
  };
}

export function ruleForm(rule: Rule, kind: CatalogueKind): RuleForm {
  const hours = rule.schedule?.hours;
  return {
    name: rule.name,
    kind: rule.kind,
    severity: rule.severity,
    enabled: rule.enabled,
    values: paramValues(paramFields(kind.params), rule.params),
    scope: {
      departmentIds: [...rule.scope.departmentIds],
      assetIds: [...rule.scope.assetIds],
      placeIds: [...rule.scope.placeIds],
      placeCategories: PLACE_CATEGORIES.filter((c) => rule.scope.placeCategories.includes(c)),
    },
    schedule:
      hours === undefined
        ? null
        : copyHours(Object.fromEntries(WEEKDAYS.map((d) => [d, hours[d] ?? []])) as unknown as WorkingHours),
  };
}

/** The scope to send: places only for the kinds that take them. */
export function scopeBody(form: RuleForm, kind: CatalogueKind): RuleScopeForm {
  return {
    departmentIds: [...form.scope.departmentIds],
    assetIds: [...form.scope.assetIds],
    placeIds: kind.takesPlaces ? [...form.scope.placeIds] : [],
    placeCategories: kind.takesPlaces ? [...form.scope.placeCategories] : [],
  };
}

export interface RuleBody {
  name: string;
  kind: RuleKind;
  severity: AlertSeverity;
  enabled: boolean;
  params: Record<string, unknown>;
  scope: RuleScopeForm;
  schedule: { hours: WorkingHours } | null;
}

export type RuleBodyResult = { ok: true; body: RuleBody } | { ok: false; problems: Record<string, string> };

/** The form as POST /api/v1/rules takes it, or its problems by field (`name`, `params.x`, `schedule.mon`). */
export function ruleBody(form: RuleForm, kind: CatalogueKind, nameMax = 100): RuleBodyResult {
  const problems: Record<string, string> = {};
  const name = form.name.trim();
  if (name === '' || name.length > nameMax) problems.name = `a name is 1..${nameMax} characters`;
  const { params, problems: paramProblems } = paramsFromValues(paramFields(kind.params), form.values);
  for (const [k, v] of Object.entries(paramProblems)) problems[`params.${k}`] = v;
  if (form.schedule !== null)
    for (const [day, problem] of Object.entries(hoursProblems(form.schedule)))
      problems[`schedule.hours.${day}`] = problem;
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  return {
    ok: true,
    body: {
      name,
      kind: form.kind,
      severity: form.severity,
      enabled: form.enabled,
      params,
      scope: scopeBody(form, kind),
      schedule: form.schedule === null ? null : { hours: copyHours(form.schedule) },
    },
  };
}

/** The rule as the preview runs it (no name needed). */
export function previewRule(
  form: RuleForm,
  kind: CatalogueKind,
): { ok: true; rule: PreviewRule } | { ok: false; problems: Record<string, string> } {
  const result = ruleBody({ ...form, name: form.name.trim() === '' ? 'preview' : form.name }, kind);
  if (!result.ok) return result;
  const { kind: k, params, scope, schedule, severity } = result.body;
  return { ok: true, rule: { kind: k, params, scope, schedule, severity } };
}

/** The form's fields for field-errors.ts: each parameter, the scope's lists, each day of the schedule. */
export function formFieldNames(kind: CatalogueKind): string[] {
  return [
    'name',
    'kind',
    'severity',
    'enabled',
    ...paramFields(kind.params).map((f) => `params.${f.name}`),
    'params',
    'scope.departmentIds',
    'scope.assetIds',
    'scope.placeIds',
    'scope.placeCategories',
    'scope',
    ...WEEKDAYS.map((d: Weekday) => `schedule.hours.${d}`),
    'schedule',
  ];
}

export interface ScopeNames {
  department(id: string): string;
  asset(id: string): string;
  place(id: string): string;
  category(c: string): string;
}

const listed = (names: string[], max = 2) =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

/** "Whole organisation", or "Departments: Lighting · Assets: Van 7 · Places: North depot". */
export function scopeSummary(
  scope: { departmentIds: string[]; assetIds: string[]; placeIds: string[]; placeCategories: string[] },
  names: ScopeNames,
): string {
  const parts: string[] = [];
  if (scope.departmentIds.length > 0)
    parts.push(`Departments: ${listed(scope.departmentIds.map(names.department))}`);
  if (scope.assetIds.length > 0) parts.push(`Assets: ${listed(scope.assetIds.map(names.asset))}`);
  const places = [...scope.placeIds.map(names.place), ...scope.placeCategories.map(names.category)];
  if (places.length > 0) parts.push(`Places: ${listed(places)}`);
  const who = scope.departmentIds.length + scope.assetIds.length === 0 ? 'Whole organisation' : '';
  return [who, ...parts].filter((p) => p !== '').join(' · ');
}

/** "Mon–Fri 07:00–18:00"-like words for a schedule: each day's hours, or always. */
export function scheduleSummary(
  schedule: { hours: Record<string, { from: string; to: string }[]> } | null,
): string {
  if (schedule === null) return 'Always';
  const days = WEEKDAYS.filter((d) => (schedule.hours[d] ?? []).length > 0);
  if (days.length === 0) return 'Never (no hours)';
  return days
    .map(
      (d) =>
        `${d.charAt(0).toUpperCase()}${d.slice(1)} ${(schedule.hours[d] ?? []).map((i) => `${i.from}–${i.to}`).join(', ')}`,
    )
    .join('; ');
}
