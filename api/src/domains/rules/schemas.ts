// The bodies, queries and answers of the rules routes. The catalogue of kinds, their parameters
// (units in the names, defaults) and the shapes of scope and schedule are shared with the rule
// engine (@fleet/shared/rules): a rule this API stores is one the engine runs. Parameters are
// checked against their kind's schema and stored with the defaults filled in, so what a rule does
// does not change when a default does.
// The console's type check loads this module (contract.ts): zod and dependency-free modules only.
import {
  ALERT_SEVERITIES,
  type AlertSeverity,
  PLACE_RULE_KINDS,
  parseRuleParams,
  RULE_ASSET_KINDS,
  RULE_KIND_LABELS,
  RULE_KINDS,
  RULE_PARAMS,
  type RuleKind,
  type RuleSchedule,
  type RuleScope,
  ruleScheduleSchema,
  ruleScopeSchema,
} from '@fleet/shared/rules';
import { z } from 'zod';

export const NAME_MAX_LENGTH = 100;

export const ruleKind = z
  .enum(RULE_KINDS as [RuleKind, ...RuleKind[]], {
    error: `kind is one of ${RULE_KINDS.join(', ')} (GET /api/v1/rules/catalogue)`,
  })
  .meta({ id: 'RuleKind' });

export const alertSeverity = z
  .enum(ALERT_SEVERITIES, { error: `severity is one of ${ALERT_SEVERITIES.join(', ')}` })
  .meta({ id: 'AlertSeverity' });

const ruleName = z
  .string({ error: 'a name is text' })
  .trim()
  .min(1, `a name is 1..${NAME_MAX_LENGTH} characters`)
  .max(NAME_MAX_LENGTH, `a name is 1..${NAME_MAX_LENGTH} characters`)
  .meta({ description: 'unique among the organisation’s rules, whatever the case' });

/** Checked against the kind's schema in the transform below (PATCH: against the stored kind). */
const ruleParams = z
  .record(z.string(), z.unknown(), { error: 'params is an object of the kind’s parameters' })
  .meta({
    description:
      'the kind’s parameters (GET /api/v1/rules/catalogue has each kind’s JSON Schema); absent ones take their defaults, unknown ones are refused',
  });

const scope = ruleScopeSchema.meta({
  id: 'RuleScope',
  description:
    'which assets the rule watches (departments with their sub-departments, and assets) and, for geofence kinds, which places; all empty: the whole organisation. A user with a department scope: within their subtree, and {} is their own department',
});

const schedule = ruleScheduleSchema.nullable().meta({
  id: 'RuleSchedule',
  description:
    'when the rule is on: local times per weekday in timeZone (the organisation’s when omitted); a day left out is off. null: always on',
});

type Issue = { path: PropertyKey[]; message: string };

/** The issues of a kind's parameters, under `params`. */
export function paramIssues(kind: RuleKind, params: unknown): { params: unknown } | { issues: Issue[] } {
  const parsed = parseRuleParams(kind, params);
  if (parsed.success) return { params: parsed.data };
  return { issues: parsed.error.issues.map((i) => ({ path: ['params', ...i.path], message: i.message })) };
}

/** What is wrong with places in the scope of a kind that does not test places. */
export function placeScopeIssues(kind: RuleKind, s: Partial<RuleScope>): Issue[] {
  if (PLACE_RULE_KINDS.has(kind)) return [];
  const issues: Issue[] = [];
  const message = `only the geofence kinds (${[...PLACE_RULE_KINDS].join(', ')}) take places`;
  if ((s.placeIds?.length ?? 0) > 0) issues.push({ path: ['scope', 'placeIds'], message });
  if ((s.placeCategories?.length ?? 0) > 0) issues.push({ path: ['scope', 'placeCategories'], message });
  return issues;
}

/** What the repository stores: parameters checked and defaulted, ids of the scope not yet checked. */
export interface NewRule {
  name: string;
  kind: RuleKind;
  severity: AlertSeverity;
  enabled: boolean;
  params: Record<string, unknown>;
  scope: RuleScope;
  schedule: RuleSchedule | null;
}

export interface RuleChanges {
  name?: string | undefined;
  severity?: AlertSeverity | undefined;
  enabled?: boolean | undefined;
  /** Unchecked: the repository checks them against the rule's kind. */
  params?: Record<string, unknown> | undefined;
  scope?: RuleScope | undefined;
  schedule?: RuleSchedule | null | undefined;
}

const EMPTY_SCOPE = { departmentIds: [], assetIds: [], placeIds: [], placeCategories: [] };

/** A rule's parameters checked against its kind (defaults filled in) and its places against the kind. */
function checkedRule<T extends { kind: RuleKind; params: Record<string, unknown>; scope: RuleScope }>(
  b: T,
  ctx: z.RefinementCtx,
): T {
  const checked = paramIssues(b.kind, b.params);
  const issues = [...('issues' in checked ? checked.issues : []), ...placeScopeIssues(b.kind, b.scope)];
  for (const issue of issues) ctx.addIssue({ code: 'custom', ...issue });
  if (issues.length > 0 || !('params' in checked)) return z.NEVER;
  return { ...b, params: checked.params as Record<string, unknown> };
}

export const newRuleSchema = z
  .strictObject({
    name: ruleName,
    kind: ruleKind,
    severity: alertSeverity.default('warning'),
    enabled: z.boolean({ error: 'enabled is true or false' }).default(true),
    params: ruleParams.default({}),
    scope: scope.default(EMPTY_SCOPE),
    schedule: schedule.default(null),
  })
  .transform((b, ctx): NewRule => checkedRule(b, ctx))
  .meta({
    id: 'NewRule',
    description:
      'A rule: name and kind are required; severity warning, enabled, default parameters, the whole organisation and always on unless given',
  });

export const ruleChangesSchema = z
  .strictObject({
    name: ruleName.optional(),
    kind: z
      .never({ error: 'a rule’s kind cannot change: archive it (DELETE) and create one of the other kind' })
      .optional(),
    severity: alertSeverity.optional(),
    enabled: z.boolean({ error: 'enabled is true or false' }).optional(),
    params: ruleParams
      .optional()
      .meta({ description: 'replaces the parameters: absent ones take their defaults' }),
    scope: scope.optional(),
    schedule: schedule.optional(),
  })
  .refine(
    (b) => Object.values(b).some((v) => v !== undefined),
    'nothing to change: give name, severity, enabled, params, scope or schedule',
  )
  .transform((b): RuleChanges => {
    const { kind: _kind, ...rest } = b;
    return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as RuleChanges;
  })
  .meta({ id: 'RuleChanges', description: 'Fields to change; absent ones stay. The kind cannot change.' });

const booleanQuery = z.enum(['true', 'false'], { error: 'true or false' }).transform((v) => v === 'true');

export const ruleQuerySchema = z
  .strictObject({
    kind: ruleKind.optional(),
    enabled: booleanQuery.optional(),
    name: z.string().max(NAME_MAX_LENGTH).optional().meta({ description: 'part of the name, any case' }),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  })
  .meta({ id: 'RuleQuery' });

const scopeOut = z
  .object({
    departmentIds: z.array(z.uuid()),
    assetIds: z.array(z.uuid()),
    placeIds: z.array(z.uuid()),
    placeCategories: z.array(z.string()),
  })
  .meta({ id: 'RuleScopeOut' });

const scheduleOut = z
  .object({
    timeZone: z.string().optional().meta({ description: 'absent: the organisation’s' }),
    hours: z.record(z.string(), z.array(z.object({ from: z.string(), to: z.string() }))),
  })
  .nullable();

export const ruleSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: ruleKind,
    kindLabel: z.string().meta({ description: 'what the kind is, in words' }),
    severity: alertSeverity,
    enabled: z.boolean(),
    params: z
      .record(z.string(), z.unknown())
      .meta({ description: 'every parameter of the kind, defaults filled in' }),
    scope: scopeOut,
    schedule: scheduleOut,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Rule' });

export const rulePageSchema = z
  .object({
    items: z.array(ruleSchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .meta({ id: 'RulePage' });

export const ruleCatalogueSchema = z
  .object({
    kinds: z.array(
      z.object({
        kind: ruleKind,
        label: z.string(),
        assetKinds: z.array(z.enum(['vehicle', 'equipment'])),
        takesPlaces: z.boolean().meta({ description: 'its scope may name places and place categories' }),
        params: z.record(z.string(), z.unknown()).meta({
          description: 'JSON Schema (draft 2020-12) of the parameters as sent, with their defaults',
        }),
      }),
    ),
    severities: z.array(alertSeverity),
  })
  .meta({ id: 'RuleCatalogue' });

/** The catalogue's answer, the same for everyone: built once. */
export function ruleCatalogue(): z.input<typeof ruleCatalogueSchema> {
  return {
    kinds: RULE_KINDS.map((kind) => {
      const json = z.toJSONSchema(RULE_PARAMS[kind], {
        target: 'draft-2020-12',
        io: 'input',
        unrepresentable: 'any',
      }) as Record<string, unknown>;
      delete json.$schema;
      return {
        kind,
        label: RULE_KIND_LABELS[kind],
        assetKinds: [...RULE_ASSET_KINDS[kind]],
        takesPlaces: PLACE_RULE_KINDS.has(kind),
        params: json,
      };
    }),
    severities: [...ALERT_SEVERITIES],
  };
}

// ---------------------------------------------------------------------------------------------
// Preview: a rule, saved or not, run over an asset's stored history.

export const PREVIEW_MAX_DAYS = 7;
export const PREVIEW_MAX_ALERTS = 500;

/** A rule as the preview takes it: a rule's fields without name or enabled. */
const previewRule = z
  .strictObject({
    kind: ruleKind,
    severity: alertSeverity.default('warning'),
    params: ruleParams.default({}),
    scope: scope.default(EMPTY_SCOPE),
    schedule: schedule.default(null),
  })
  .transform((b, ctx) => checkedRule(b, ctx));

export type PreviewRule = z.output<typeof previewRule>;

export const rulePreviewBodySchema = z
  .strictObject({
    rule: previewRule
      .optional()
      .meta({ description: 'the rule as it would be saved (the form being edited)' }),
    ruleId: z.uuid({ error: 'ruleId is a rule id' }).optional().meta({ description: 'or a saved rule' }),
    assetId: z.uuid({ error: 'assetId is an asset id' }),
    from: z.iso.datetime({ offset: true, error: 'from is an ISO 8601 time' }),
    to: z.iso.datetime({ offset: true, error: 'to is an ISO 8601 time' }),
  })
  .superRefine((b, ctx) => {
    if ((b.rule === undefined) === (b.ruleId === undefined))
      ctx.addIssue({ code: 'custom', path: ['rule'], message: 'give either rule or ruleId' });
    const from = Date.parse(b.from);
    const to = Date.parse(b.to);
    if (from < 0) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from is after 1970' });
    if (!(to > from)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (to - from > PREVIEW_MAX_DAYS * 86_400_000)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${PREVIEW_MAX_DAYS} days after from` });
  })
  .transform((b) => ({ ...b, from: Date.parse(b.from), to: Date.parse(b.to) }))
  .meta({
    id: 'RulePreviewRequest',
    description: `A rule (\`rule\`, unsaved) or a saved one (\`ruleId\`), an asset and a range of at most ${PREVIEW_MAX_DAYS} days`,
  });

const previewAlert = z
  .object({
    kind: ruleKind,
    severity: alertSeverity,
    title: z.string(),
    deviceId: z.string(),
    assetId: z.uuid(),
    placeId: z.uuid().nullable(),
    startedAt: z.iso.datetime().meta({ description: 'device time the condition began' }),
    endedAt: z.iso
      .datetime()
      .nullable()
      .meta({ description: 'device time it ended; null: it still held at the end of the range' }),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .meta({ id: 'PreviewAlert' });

export const rulePreviewSchema = z
  .object({
    assetId: z.uuid(),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    records: z.number().int().meta({ description: 'records and device events evaluated' }),
    truncated: z.boolean().meta({
      description: 'the range held more records than one preview reads: only the earliest were evaluated',
    }),
    alerts: z
      .array(previewAlert)
      .meta({ description: `the alerts it would have raised, oldest first, at most ${PREVIEW_MAX_ALERTS}` }),
    moreAlerts: z.number().int().meta({ description: 'alerts past the list' }),
  })
  .meta({ id: 'RulePreview' });
