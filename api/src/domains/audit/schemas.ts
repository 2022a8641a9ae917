// The query and the answers of the audit log's route. Pages are keyset pages (routes/keyset.ts):
// the cursor is the (at, id) of the last entry of the page, opaque to clients.
// The module itself, not the db index: the console's type check loads this file (contract.ts).
import { AUDIT_ACTOR_KINDS } from '@fleet/shared/db/audit';
import { z } from 'zod';
import {
  decodeKeysetCursor,
  encodeKeysetCursor,
  type KeysetKey,
  keysetCursorQuery,
  queryTime,
} from '../../routes/keyset.ts';

export const AUDIT_ACTIONS = ['create', 'update', 'delete'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const PAGE_DEFAULT = 100;
export const PAGE_MAX = 500;
/** Rows of one CSV export; past it the answer says x-truncated and where to go on. */
export const CSV_MAX_ROWS = 100_000;

/** The position of an entry in the log's order (newest first): its time to the microsecond and id (a bigint's digits). */
export type AuditKey = KeysetKey;

const BIGINT_MAX = 9_223_372_036_854_775_807n;
const isEntryId = (id: string) => /^[1-9]\d{0,18}$/.test(id) && BigInt(id) <= BIGINT_MAX;

export const encodeCursor = encodeKeysetCursor;

/** The key in a cursor, or undefined for anything that is not one this API made. */
export const decodeCursor = (cursor: string): AuditKey | undefined => decodeKeysetCursor(cursor, isEntryId);

const cursor = keysetCursorQuery(isEntryId);
const time = queryTime;

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
