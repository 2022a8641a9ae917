// The queries, bodies and answers of the alerts routes. An alert is the AlertRecord the rule
// engine writes, the bus carries and the hub streams (@fleet/shared/rules); its schema here is
// checked against that type, so the three never drift apart. Lists are keyset pages, newest
// first (routes/keyset.ts).
// The console's type check loads this module (contract.ts): zod and dependency-free modules only.
import { ALERT_STATES, type AlertRecord, RULE_KINDS, type RuleKind } from '@fleet/shared/rules';
import { z } from 'zod';
import { keysetCursorQuery, queryTime } from '../../routes/keyset.ts';
import { deviceIdParam } from '../../routes/schemas.ts';
import { alertSeverity, ruleKind } from '../rules/schemas.ts';

export const PAGE_DEFAULT = 100;
export const PAGE_MAX = 500;
export const NOTE_MAX_LENGTH = 4000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const alertState = z
  .enum(ALERT_STATES, { error: `state is one of ${ALERT_STATES.join(', ')}` })
  .meta({ id: 'AlertState' });

/** `a,b,c` in a query: each one of the choices, at least one. */
function commaList<T extends z.ZodType<string, string>>(item: T, what: string) {
  return z
    .string()
    .max(200)
    .transform((text) => text.split(',').map((s) => s.trim()))
    .pipe(z.array(item).min(1, `at least one ${what}`))
    .meta({ description: `one or more, comma-separated` });
}

const booleanQuery = z.enum(['true', 'false'], { error: 'true or false' }).transform((v) => v === 'true');

export const alertQuerySchema = z
  .strictObject({
    state: commaList(alertState, 'state').optional(),
    severity: commaList(alertSeverity, 'severity').optional(),
    kind: ruleKind.optional(),
    assetId: z.uuid().optional(),
    deviceId: deviceIdParam.shape.id.optional(),
    ruleId: z.uuid().optional(),
    from: queryTime.optional().meta({ description: 'alerts whose condition began at or after this time' }),
    to: queryTime.optional().meta({ description: 'alerts whose condition began before this time' }),
    active: booleanQuery.optional().meta({ description: 'whether the condition still holds' }),
    includeSuppressed: booleanQuery
      .default(false)
      .meta({ description: 'also the alerts another one explains (suppressedBy set); hidden by default' }),
    cursor: keysetCursorQuery((id) => UUID.test(id)).optional(),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(PAGE_MAX)
      .default(PAGE_DEFAULT)
      .meta({ description: `alerts per page, 1..${PAGE_MAX}` }),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined && q.to <= q.from)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  })
  .meta({ id: 'AlertQuery' });

export type AlertQuery = z.output<typeof alertQuerySchema>;

const nullableIso = z.iso.datetime().nullable();

export const alertSchema = z
  .object({
    id: z.uuid(),
    orgId: z.uuid(),
    ruleId: z.uuid().nullable(),
    ruleName: z.string().nullable().meta({ description: 'also once the rule is archived' }),
    kind: z.enum(RULE_KINDS as [RuleKind, ...RuleKind[]]),
    severity: alertSeverity,
    state: alertState,
    active: z.boolean().meta({ description: 'whether the condition still holds' }),
    title: z.string(),
    deviceId: z.string().nullable(),
    assetId: z.uuid().nullable(),
    placeId: z.uuid().nullable(),
    startedAt: z.iso.datetime().meta({ description: 'device time the condition began' }),
    endedAt: nullableIso.meta({ description: 'device time it ended, when it did' }),
    raisedAt: z.iso.datetime().meta({ description: 'server time the engine raised it' }),
    late: z.boolean().meta({ description: 'raised from records a device replayed from its buffer' }),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    details: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .meta({ description: 'the kind’s figures (peak speed and limit, a fault code ...)' }),
    suppressedBy: z.uuid().nullable().meta({ description: 'the alert that explains this one' }),
    acknowledgedAt: nullableIso,
    acknowledgedBy: z.uuid().nullable(),
    resolvedAt: nullableIso,
    resolvedBy: z
      .uuid()
      .nullable()
      .meta({ description: 'null with resolvedAt set: resolved by the engine when the condition cleared' }),
    assigneeId: z.uuid().nullable(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Alert' });

// The schema and the shared record are one shape: either drifting breaks the type check.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<z.output<typeof alertSchema>, AlertRecord> = true;
void sameShape;

export const alertPageSchema = z
  .object({
    items: z.array(alertSchema),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'pass as cursor for the next page; null: the last' }),
  })
  .meta({ id: 'AlertPage' });

export const ALERT_ACTIONS = [
  'opened',
  'updated',
  'condition_cleared',
  'reactivated',
  'acknowledged',
  'resolved',
  'reopened',
  'assigned',
  'unassigned',
  'commented',
  'suppressed',
] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

export const alertActivitySchema = z
  .object({
    id: z.string().meta({ description: 'increasing, as decimal text' }),
    at: z.iso.datetime(),
    action: z.enum(ALERT_ACTIONS),
    actorId: z.uuid().nullable().meta({ description: 'the user; null: the rule engine' }),
    actorName: z.string().nullable(),
    note: z.string().nullable().meta({ description: 'a comment’s text, a resolution note, the assignee' }),
  })
  .meta({ id: 'AlertActivity' });

export const alertDetailSchema = alertSchema
  .extend({ activity: z.array(alertActivitySchema).meta({ description: 'the timeline, oldest first' }) })
  .meta({ id: 'AlertDetail' });

export const alertSummarySchema = z
  .object({
    total: z.number().int().meta({ description: 'alerts not resolved and not suppressed' }),
    bySeverity: z.object({ info: z.number().int(), warning: z.number().int(), critical: z.number().int() }),
    byState: z.object({ open: z.number().int(), acknowledged: z.number().int() }),
  })
  .meta({ id: 'AlertSummary' });

const note = z
  .string({ error: 'a note is text' })
  .trim()
  .max(NOTE_MAX_LENGTH, `a note is at most ${NOTE_MAX_LENGTH} characters`)
  .transform((t) => (t === '' ? null : t));

export const resolveAlertSchema = z
  .strictObject({ note: note.nullable().optional().meta({ description: 'how it was dealt with' }) })
  .transform((b) => ({ note: b.note ?? null }))
  .meta({ id: 'ResolveAlert' });

export const alertChangesSchema = z
  .strictObject({
    assigneeId: z
      .uuid({ error: 'assigneeId is a user id (a uuid) or null' })
      .nullable()
      .meta({ description: 'an active user of the organisation; null: nobody' }),
  })
  .meta({ id: 'AlertChanges' });

export const newAlertCommentSchema = z
  .strictObject({
    body: z
      .string({ error: 'a comment is text' })
      .trim()
      .min(1, `a comment is 1..${NOTE_MAX_LENGTH} characters`)
      .max(NOTE_MAX_LENGTH, `a comment is 1..${NOTE_MAX_LENGTH} characters`),
  })
  .meta({ id: 'NewAlertComment' });
