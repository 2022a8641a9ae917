// The bulk import route of a collection, one declaration for vehicles, equipment and drivers:
// POST a CSV file to `/api/v1/<collection>/import`; `dryRun=true` checks it without writing. A
// file with any problem is refused whole (422 import_rejected, every problem as a detail
// `row N.column`); otherwise every row is written in one transaction. Exports are the list
// routes' `format=csv` (csvReply).
import { inOneTenantTransaction, type SqlDatabase } from '@fleet/shared/db';
import { ApiError, type ErrorDetail, errorBodySchema } from '../http/errors.ts';
import { type AnyRoute, defineRoute, type Principal } from '../http/route.ts';
import type { Role } from '../permissions.ts';
import { ERROR_RESPONSES, EXPORT_MAX_ROWS } from '../routes/schemas.ts';

export { csvFileSchema, EXPORT_MAX_ROWS, type ImportSummary, importSummarySchema };

import { type FileProblem, writeCsv } from './file.ts';
import {
  type Existing,
  IMPORT_LIMITS,
  type ImportSpec,
  type PlannedCreate,
  type PlannedUpdate,
  planImport,
  RowRefused,
} from './import.ts';
import { type ReferenceName, referenceTables } from './references.ts';
import { csvFileSchema, type ImportSummary, importQuerySchema, importSummarySchema } from './schemas.ts';

/** Details listed in one refusal; the message still counts every problem. */
export const MAX_PROBLEMS_LISTED = 1_000;
/** A file of the most rows at the longest a real row is (~300 bytes), with room. */
export const IMPORT_MAX_BYTES = 8 * 1024 * 1024;
const rowPath = (p: FileProblem) => (p.column === undefined ? `row ${p.row}` : `row ${p.row}.${p.column}`);

/** The refusal of a whole file, naming its problems by row and column. */
export function importRejected(label: string, problems: readonly FileProblem[]): ApiError {
  const rows = new Set(problems.map((p) => p.row)).size;
  const details: ErrorDetail[] = problems
    .slice(0, MAX_PROBLEMS_LISTED)
    .map((p) => ({ path: rowPath(p), message: p.message }));
  const first = problems[0];
  const counted =
    problems.length === 1
      ? `${rowPath(first as FileProblem)}: ${first?.message}`
      : `${problems.length.toLocaleString('en')} problems in ${rows.toLocaleString('en')} rows${problems.length > MAX_PROBLEMS_LISTED ? ` (the first ${MAX_PROBLEMS_LISTED.toLocaleString('en')} listed)` : ''}`;
  return new ApiError('import_rejected', `No ${label} was imported: ${counted}.`, { details });
}

/**
 * A write of a planned row the database refused (a plate taken by an asset outside the
 * caller's scope, a race with another import): the whole file is refused, naming that row.
 */
export function rowRefused(
  label: string,
  row: number,
  err: unknown,
  headerOf: (field: string) => string | undefined,
): unknown {
  if (!(err instanceof ApiError) || err.status >= 500) return err;
  const details = err.details ?? [{ path: '', message: err.message }];
  return importRejected(
    label,
    details.map((d) => ({
      row,
      column: d.path.startsWith('body.') ? (headerOf(d.path.slice(5)) ?? d.path.slice(5)) : undefined,
      message: d.message,
    })),
  );
}

export interface ImportRouteSpec {
  id: string;
  /** The collection's path: /api/v1/vehicles. */
  collection: string;
  /** In people's words, plural: vehicles. */
  label: string;
  access: readonly Role[];
  columns: string;
  run(principal: Principal, text: string, dryRun: boolean): Promise<ImportSummary>;
}

export function importRoute(spec: ImportRouteSpec): AnyRoute {
  return defineRoute({
    id: spec.id,
    method: 'post',
    path: `${spec.collection}/import`,
    tag: 'import',
    summary: `Import ${spec.label} from a CSV file`,
    description: `A CSV file (UTF-8; comma, semicolon or tab between cells, as the header row has them) with a header row naming its columns (any case, spaces or underscores): ${spec.columns}. A row whose key matches an existing record updates it, changing only the columns the file has; any other row adds one. Blank cells clear a field. Departments, places and users are named as people write them (a department's path "Production > Lighting", a place's name, a user's email) or by id. At most ${IMPORT_LIMITS.maxRows.toLocaleString('en')} rows. A file with any bad row is refused whole (422, every problem named as \`row N.column\`), and nothing is written; \`dryRun=true\` answers what the file would do without writing. The export (GET with \`format=csv\`) writes files this route reads back.`,
    access: spec.access,
    query: importQuerySchema,
    body: csvFileSchema,
    bodyFormat: 'csv',
    maxBodyBytes: IMPORT_MAX_BYTES,
    responses: {
      200: { description: 'Imported (or, with dryRun, what would be)', schema: importSummarySchema },
      ...ERROR_RESPONSES,
      409: { description: 'A row conflicts with a record you cannot see', schema: errorBodySchema },
      422: { description: 'Nothing imported: the file has problems, each named', schema: errorBodySchema },
    },
    async handler({ principal, query, body }) {
      // Never undefined: the access is a list of roles, so the server signed the caller in.
      if (principal === undefined) throw new ApiError('unauthorized');
      return { status: 200, body: await spec.run(principal, body, query.dryRun) };
    },
  });
}

/** An export as the list routes answer it: a dated attachment, with the row count. */
export function csvReply(
  name: string,
  headers: readonly string[],
  rows: readonly string[][],
  truncated: boolean,
) {
  const day = new Date().toISOString().slice(0, 10);
  return {
    status: 200,
    raw: writeCsv(headers, rows as string[][]),
    contentType: 'text/csv; charset=utf-8',
    headers: {
      'content-disposition': `attachment; filename="${name}-${day}.csv"`,
      'x-row-count': String(rows.length),
      'x-truncated': String(truncated),
    },
  } as const;
}

/** Every record of a filtered list, page by page, up to EXPORT_MAX_ROWS. */
export async function collectForExport<T>(
  page: (limit: number, offset: number) => Promise<{ items: T[]; total: number }>,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  const size = 500;
  for (;;) {
    const next = await page(Math.min(size, EXPORT_MAX_ROWS - items.length), items.length);
    items.push(...next.items);
    if (items.length >= next.total || next.items.length === 0) return { items, truncated: false };
    if (items.length >= EXPORT_MAX_ROWS) return { items, truncated: true };
  }
}

export interface ImportRun<Item, New, Changes> {
  db: SqlDatabase;
  orgId: string;
  text: string;
  dryRun: boolean;
  spec: ImportSpec<Item, New, Changes>;
  /** The tables the spec's reference columns name. */
  tables: readonly ReferenceName[];
  existing(): Promise<Existing>;
  /** Writes every planned row (fast, in the import's transaction), throwing RowRefused for a refused one. */
  write(plan: { creates: PlannedCreate<New>[]; updates: PlannedUpdate<Changes>[] }): Promise<void>;
}

/**
 * Plans the file, refuses it whole if any row has a problem, else writes every row in one
 * transaction (the repositories' own transactions join it): all rows land, or none.
 */
export async function runImport<Item, New, Changes>(
  run: ImportRun<Item, New, Changes>,
): Promise<ImportSummary> {
  const [tables, existing] = await Promise.all([
    referenceTables(run.db, run.orgId, run.tables),
    run.existing(),
  ]);
  const plan = planImport(run.text, run.spec, existing, tables);
  if (!plan.ok) throw importRejected(run.spec.label, plan.problems);
  const summary = {
    dryRun: run.dryRun,
    rows: plan.rows,
    created: plan.creates.length,
    updated: plan.updates.length,
  };
  if (run.dryRun) return summary;
  const headerOf = (field: string) => run.spec.columns.find((c) => c.field === field)?.header;
  // Updates before creates (the repositories' write does them in that order): a row may move a
  // plate off one vehicle that another row then takes.
  await inOneTenantTransaction(run.db, run.orgId, () => run.write(plan)).catch((err: unknown) => {
    throw err instanceof RowRefused ? rowRefused(run.spec.label, err.row, err.refusal, headerOf) : err;
  });
  return summary;
}
