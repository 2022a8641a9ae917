// The query and the answers of the audit log's route. Pages are keyset pages: the cursor is the
// (at, id) of the last entry of the page, opaque to clients, so page 5,000 costs what page 1
// costs (an offset would read and skip every entry before it).
// The module itself, not the db index: the console's type check loads this file (contract.ts).
import { AUDIT_ACTOR_KINDS } from '@fleet/shared/db/audit';
import { z } from 'zod';
import { instant } from '../../routes/schemas.ts';

export const AUDIT_ACTIONS = ['create', 'update', 'delete'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const PAGE_DEFAULT = 100;
export const PAGE_MAX = 500;
/** Rows of one CSV export; past it the answer says x-truncated and where to go on. */
export const CSV_MAX_ROWS = 100_000;

/** The position of an entry in the log's order (newest first): its time to the microsecond and id. */
export interface AuditKey {
  /** ISO 8601 in UTC with microseconds, as PostgreSQL stores it. */
  at: string;
  /** The entry's id (bigint) as decimal text. */
  id: string;
}

const KEY_AT = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})Z$/;
const KEY_ID = /^[1-9]\d{0,18}$/;
const BIGINT_MAX = 9_223_372_036_854_775_807n;

export function encodeCursor(key: AuditKey): string {
  return Buffer.from(`${key.at}|${key.id}`).toString('base64url');
}

/** The key in a cursor, or undefined for anything that is not one this API made. */
export function decodeCursor(cursor: string): AuditKey | undefined {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(cursor)) return undefined;
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('latin1').split('|');
  if (at === undefined || id === undefined || rest.length > 0) return undefined;
  if (!KEY_ID.test(id) || BigInt(id) > BIGINT_MAX) return undefined;
  // A date PostgreSQL would refuse (month 13, 25 o'clock) would be a 500 there: checked here.
  if (!KEY_AT.test(at)) return undefined;
  const date = new Date(at);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 23) !== at.slice(0, 23)) return undefined;
  return { at, id };
}

const cursor = z
  .string()
  .max(80)
  .transform((text, ctx) => {
    const key = decodeCursor(text);
    if (key === undefined) {
      ctx.addIssue({ code: 'custom', message: 'not a cursor of this list: pass nextCursor as it came' });
      return z.NEVER;
    }
    return key;
  })
  .meta({ description: 'nextCursor of the previous page, as it came' });

/** Latest instant a filter may name: PostgreSQL's timestamptz and JavaScript's Date both reach it. */
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const time = instant.refine((ms) => ms <= MAX_TIME_MS, 'a time before the year 10000');

export const ENTITY_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;

export const auditQuerySchema = z
  .strictObject({
    entity: z.string().regex(ENTITY_PATTERN, 'an entity name such as place, user or device').optional().meta({
      description:
        'organisation, user, device, department, place, asset (vehicles and equipment), installation, asset_photo, ...',
    }),
    entityId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: "the entity's id (with entity): one thing's history" }),
    actorId: z.uuid().optional().meta({ description: 'changes made by this user (or operator)' }),
    actorKind: z.enum(AUDIT_ACTOR_KINDS).optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    from: time.optional().meta({ description: 'entries at or after this time' }),
    to: time.optional().meta({ description: 'entries before this time' }),
    cursor: cursor.optional(),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(PAGE_MAX)
      .default(PAGE_DEFAULT)
      .meta({ description: `entries per page (JSON only), 1..${PAGE_MAX}` }),
    format: z
      .enum(['json', 'csv'])
      .default('json')
      .meta({ description: `csv: every matching entry, up to ${CSV_MAX_ROWS.toLocaleString('en')}` }),
  })
  .superRefine((q, ctx) => {
    // Without its entity an id has no index to use: a scan of the whole log.
    if (q.entityId !== undefined && q.entity === undefined)
      ctx.addIssue({ code: 'custom', path: ['entity'], message: 'entityId needs entity too' });
    if (q.from !== undefined && q.to !== undefined && q.to <= q.from)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  })
  .meta({ id: 'AuditLogQuery' });

export type AuditQuery = z.output<typeof auditQuerySchema>;

const fields = z
  .record(z.string(), z.unknown())
  .nullable()
  .meta({ description: 'the fields as they were (before) and became (after); null for none' });

export const auditEntrySchema = z
  .object({
    id: z.string().meta({ description: 'increasing, as decimal text (a bigint)' }),
    at: z.iso.datetime({ precision: 6 }),
    actor: z.object({
      kind: z.enum(AUDIT_ACTOR_KINDS),
      id: z.uuid().nullable().meta({ description: "the user's or operator's id" }),
      label: z
        .string()
        .meta({ description: 'what the change was made as: user, cli:alice@host, platform operator' }),
      email: z.string().nullable().meta({ description: "the user's email, also once the user is gone" }),
      name: z.string().nullable(),
    }),
    address: z.string().nullable().meta({ description: 'the client address of the request' }),
    entity: z.string(),
    entityId: z.string(),
    action: z.enum(AUDIT_ACTIONS),
    before: fields,
    after: fields,
  })
  .meta({
    id: 'AuditEntry',
    description:
      'One change: a create has only after, a delete only before, an update only the fields that changed. Secrets read "[secret]", erased personal data "[erased]".',
  });

export const auditPageSchema = z
  .object({
    items: z.array(auditEntrySchema),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'pass as cursor for the next page; null: the last' }),
  })
  .meta({ id: 'AuditLogPage' });

/** Documented, not validated: the text is written by csv.ts. */
export const auditCsvSchema = z.string().meta({
  id: 'AuditLogCsv',
  description:
    'UTF-8 with a byte order mark, a header row: at, actor_kind, actor, address, entity, entity_id, action, before, after (JSON)',
});
