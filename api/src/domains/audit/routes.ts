// The audit log of the organisation: who changed what, when and from where, newest first,
// filtered by entity, actor, action and time, in keyset pages or as a CSV export. Read-only:
// the database writes the log (migration 0008) and the tenant role cannot change it.
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { READ_AUDIT_LOG } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES } from '../../routes/schemas.ts';
import { auditCsv } from './csv.ts';
import { type AuditFilter, AuditLog } from './repository.ts';
import {
  type AuditKey,
  auditCsvSchema,
  auditPageSchema,
  auditQuerySchema,
  CSV_MAX_ROWS,
  encodeCursor,
} from './schemas.ts';

/**
 * Entries per read of an export. Each read is its own short transaction, so an export of
 * 100,000 entries does not hold the embedded database (one connection) for its whole length.
 */
const CSV_CHUNK = 5_000;

async function exportCsv(
  log: AuditLog,
  filter: AuditFilter,
): Promise<{ text: string; rows: number; next: AuditKey | null }> {
  const parts: string[] = [];
  let rows = 0;
  let after = filter.after;
  for (;;) {
    const page = await log.page({ ...filter, after }, Math.min(CSV_CHUNK, CSV_MAX_ROWS - rows));
    parts.push(auditCsv(page.items, parts.length === 0));
    rows += page.items.length;
    if (page.next === null) return { text: parts.join(''), rows, next: null };
    if (rows >= CSV_MAX_ROWS) return { text: parts.join(''), rows, next: page.next };
    after = page.next;
  }
}

export function auditRoutes(ctx: ApiContext): AnyRoute[] {
  return [
    defineRoute({
      id: 'listAuditLog',
      method: 'get',
      path: '/api/v1/audit-log',
      tag: 'audit',
      summary: "The organisation's audit log, newest first",
      description: `Every change made through the API or the CLI: who (user, platform operator, CLI), when, from which address, which entity, and its fields before and after (an update shows only what changed; secrets read "[secret]"). Filters combine; \`entity\` with \`entityId\` is one thing's history (\`entity=asset&entityId=...\` for a vehicle). Pages go on with \`cursor=<nextCursor>\` and stay whole while new entries arrive. \`format=csv\` answers every matching entry as CSV (the same filters; \`limit\` does not apply), at most ${CSV_MAX_ROWS.toLocaleString('en')}: \`x-truncated: true\` then says there were more, and \`x-next-cursor\` exports the rest.`,
      access: READ_AUDIT_LOG,
      query: auditQuerySchema,
      responses: {
        200: {
          description: 'A page of entries',
          schema: auditPageSchema,
          alternatives: { 'text/csv': auditCsvSchema },
        },
        ...ERROR_RESPONSES,
      },
      async handler({ principal, query }) {
        const log = new AuditLog(ctx.db, principal.orgId);
        const filter: AuditFilter = {
          entity: query.entity,
          entityId: query.entityId,
          actorId: query.actorId,
          actorKind: query.actorKind,
          action: query.action,
          from: query.from,
          to: query.to,
          after: query.cursor,
        };
        if (query.format === 'csv') {
          const csv = await exportCsv(log, filter);
          const day = new Date().toISOString().slice(0, 10);
          return {
            status: 200,
            raw: csv.text,
            contentType: 'text/csv; charset=utf-8',
            headers: {
              'content-disposition': `attachment; filename="audit-log-${day}.csv"`,
              'x-row-count': String(csv.rows),
              'x-truncated': String(csv.next !== null),
              ...(csv.next === null ? {} : { 'x-next-cursor': encodeCursor(csv.next) }),
            },
          };
        }
        const page = await log.page(filter, query.limit);
        return {
          status: 200,
          body: { items: page.items, nextCursor: page.next === null ? null : encodeCursor(page.next) },
        };
      },
    }),
  ];
}
