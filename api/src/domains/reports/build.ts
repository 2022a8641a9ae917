// Each report built once, for its route and for the report schedules alike: read, add up, and
// the table its files are rendered from (export.ts). A report's body is what the JSON route
// answers; `file` renders the same rows as CSV or XLSX. A filter naming something the caller
// cannot see (a department, an asset, a place) is a 400 naming the field.
import type { SqlDatabase } from '@fleet/shared/db';
import type { QuestDbHttp } from '@fleet/shared/questdb';
import { RULE_KIND_LABELS } from '@fleet/shared/rule-labels';
import type { RuleKind } from '@fleet/shared/rules';
import type { z } from 'zod';
import { ApiError } from '../../http/errors.ts';
import { readAlertsReport } from './alerts-repository.ts';
import {
  type AnyColumn,
  day,
  type FileFormat,
  type FileReply,
  fileReply,
  hours,
  instant,
  number,
  type ReportTable,
  share,
  text,
} from './export.ts';
import { readSummaryInput } from './repository.ts';
import {
  type alertsReportQuerySchema,
  type alertsReportSchema,
  IDLE_BELOW,
  type summaryQuerySchema,
  type summarySchema,
  type utilisationQuerySchema,
  type utilisationReportSchema,
  type visitsQuerySchema,
  type visitsReportSchema,
} from './schemas.ts';
import { daysOf, type SummaryAsset, type SummaryRow, summarise, workingSecondsOn } from './summary.ts';
import { utilisationOf } from './utilisation.ts';
import { visitsOf } from './visits.ts';
import { readVisitsInput } from './visits-repository.ts';

export interface ReportDeps {
  db: SqlDatabase;
  questdb: QuestDbHttp;
}

export interface BuiltReport<Body> {
  body: Body;
  /** The same rows as a file. */
  file(format: FileFormat): Promise<FileReply>;
}

function unknownFilter(field: string, what: string): ApiError {
  return new ApiError('validation_failed', `No such ${what}.`, {
    details: [{ path: `query.${field}`, message: `no such ${what} in your organisation` }],
  });
}

function built<Body, R>(body: Body, table: ReportTable<R>, stem: string): BuiltReport<Body> {
  return { body, file: (format) => fileReply(table, format, stem) };
}

/** The asset's columns of a per-asset table. */
function assetColumns<R>(of: (r: R) => SummaryAsset | undefined): AnyColumn<R>[] {
  return [
    text('asset', 'Asset', (r) => of(r)?.name ?? null, 24),
    text('kind', 'Kind', (r) => of(r)?.kind ?? null),
    text('plate', 'Plate', (r) => of(r)?.plate ?? null),
    text('category', 'Category', (r) => of(r)?.category ?? null),
    text('department', 'Department', (r) => of(r)?.departmentName ?? null),
  ];
}

type SummaryQuery = z.output<typeof summaryQuerySchema>;
type Summary = z.input<typeof summarySchema>;

export async function buildSummary(
  deps: ReportDeps,
  orgId: string,
  q: SummaryQuery,
): Promise<BuiltReport<Summary>> {
  const input = await readSummaryInput(deps.db, deps.questdb, orgId, q);
  if (!input) throw unknownFilter('departmentId', 'department');
  const { rows, totals } = summarise({ ...input, by: q.by, from: q.from, to: q.to });
  const body = { from: q.from, to: q.to, by: q.by, timeZone: input.timeZone, rows, totals };
  const table: ReportTable<SummaryRow> = {
    sheet: `Summary ${q.from} to ${q.to}`,
    timeZone: input.timeZone,
    rows,
    columns: [
      ...(q.by === 'asset'
        ? assetColumns<SummaryRow>((r) => r.asset)
        : [day<SummaryRow>('day', 'Day', (r) => r.day ?? null)]),
      number('trips', 'Trips', (r) => r.trips, 0),
      number('distance_km', 'Distance (km)', (r) => r.distanceKm, 1),
      hours('driving_h', 'Driving (h)', (r) => r.drivingS),
      hours('idle_h', 'Idling (h)', (r) => r.idleS),
      hours('engine_h', 'Engine on (h)', (r) => r.engineS),
      hours('after_hours_h', 'After hours (h)', (r) => r.afterHoursS),
      number('fuel_l', 'Fuel (l)', (r) => r.fuelLitres, 1),
      share('utilisation', 'Utilisation', (r) => r.utilisation),
    ],
  };
  return built(body, table, `summary-${q.from}-${q.to}`);
}

type UtilisationQuery = z.output<typeof utilisationQuerySchema>;
type Utilisation = z.input<typeof utilisationReportSchema>;
type UtilisationRow = Utilisation['rows'][number];

const GROUP_HEADER = { department: 'Department', category: 'Category', asset: 'Asset' } as const;

export async function buildUtilisation(
  deps: ReportDeps,
  orgId: string,
  q: UtilisationQuery,
): Promise<BuiltReport<Utilisation>> {
  const input = await readSummaryInput(deps.db, deps.questdb, orgId, q);
  if (!input) throw unknownFilter('departmentId', 'department');
  const perAsset = summarise({ ...input, by: 'asset', from: q.from, to: q.to });
  // The summary gives every asset the range's working time; utilisation divides by the same.
  const workingS = daysOf(q.from, q.to).reduce(
    (s, d) => s + workingSecondsOn(d, input.workingHours, input.timeZone),
    0,
  );
  const uses = perAsset.rows.flatMap((r) =>
    r.asset ? [{ asset: r.asset, inUseS: r.engineS, workingS }] : [],
  );
  const figures = utilisationOf(q.by, uses);
  const body = {
    from: q.from,
    to: q.to,
    by: q.by,
    timeZone: input.timeZone,
    idleBelow: IDLE_BELOW,
    ...figures,
  };
  const table: ReportTable<UtilisationRow> = {
    sheet: `Utilisation ${q.from} to ${q.to}`,
    timeZone: input.timeZone,
    rows: figures.rows,
    columns: [
      text(q.by, GROUP_HEADER[q.by], (r) => r.name, 24),
      number('assets', 'Assets', (r) => r.assets, 0),
      hours('in_use_h', 'In use (h)', (r) => r.inUseS),
      hours('working_h', 'Working time (h)', (r) => r.workingS),
      share('utilisation', 'Utilisation', (r) => r.utilisation),
      number('idle_assets', `Idle (under ${IDLE_BELOW * 100}%)`, (r) => r.idleAssets, 0),
    ],
  };
  return built(body, table, `utilisation-${q.by}-${q.from}-${q.to}`);
}

type VisitsQuery = z.output<typeof visitsQuerySchema>;
type Visits = z.input<typeof visitsReportSchema>;
type VisitsRow = Visits['rows'][number];

export async function buildVisits(
  deps: ReportDeps,
  orgId: string,
  q: VisitsQuery,
): Promise<BuiltReport<Visits>> {
  const input = await readVisitsInput(deps.db, deps.questdb, orgId, q);
  if ('unknown' in input)
    throw unknownFilter(
      input.unknown,
      { departmentId: 'department', assetId: 'asset', placeId: 'place' }[input.unknown],
    );
  const { rows, totals } = visitsOf({ ...input, by: q.by, placeId: q.placeId });
  const body = { from: q.from, to: q.to, by: q.by, timeZone: input.timeZone, rows, totals };
  const table: ReportTable<VisitsRow> = {
    sheet: `Visits ${q.from} to ${q.to}`,
    timeZone: input.timeZone,
    rows,
    columns: [
      text('place', 'Place', (r) => r.place.name, 24),
      text('place_category', 'Place category', (r) => r.place.category),
      ...(q.by === 'asset' ? assetColumns<VisitsRow>((r) => r.asset) : []),
      number('visits', 'Visits', (r) => r.visits, 0),
      number('assets', 'Assets', (r) => r.assets, 0),
      hours('total_h', 'Time there (h)', (r) => r.totalS),
      hours('average_h', 'Average visit (h)', (r) => r.averageS),
      hours('longest_h', 'Longest visit (h)', (r) => r.longestS),
      instant('first_at', 'First visit', (r) => r.firstAt),
      instant('last_at', 'Last visit', (r) => r.lastAt),
    ],
  };
  return built(body, table, `visits-${q.by}-${q.from}-${q.to}`);
}

type AlertsQuery = z.output<typeof alertsReportQuerySchema>;
type Alerts = z.input<typeof alertsReportSchema>;
type AlertsRow = Alerts['rows'][number];

export async function buildAlerts(
  deps: ReportDeps,
  orgId: string,
  q: AlertsQuery,
): Promise<BuiltReport<Alerts>> {
  const read = await readAlertsReport(deps.db, orgId, q);
  if ('unknown' in read) throw unknownFilter('departmentId', 'department');
  const body = { from: q.from, to: q.to, ...read };
  // A column per rule kind that occurs, in the catalogue's order (unknown kinds after, by name).
  const catalogue = Object.keys(RULE_KIND_LABELS);
  const kinds = [...new Set(read.rows.flatMap((r) => Object.keys(r.byKind)))].sort(
    (a, b) =>
      (catalogue.indexOf(a) + 1 || catalogue.length + 1) -
        (catalogue.indexOf(b) + 1 || catalogue.length + 1) || a.localeCompare(b),
  );
  const table: ReportTable<AlertsRow> = {
    sheet: `Alerts ${q.from} to ${q.to}`,
    timeZone: read.timeZone,
    rows: read.rows,
    columns: [
      ...assetColumns<AlertsRow>((r) => r.asset),
      number('alerts', 'Alerts', (r) => r.total, 0),
      number('critical', 'Critical', (r) => r.bySeverity.critical, 0),
      number('warning', 'Warning', (r) => r.bySeverity.warning, 0),
      number('info', 'Info', (r) => r.bySeverity.info, 0),
      number('open', 'Not resolved', (r) => r.open, 0),
      hours('mean_time_to_resolve_h', 'Mean time to resolve (h)', (r) => r.meanTimeToResolveS),
      ...kinds.map((k) =>
        number<AlertsRow>(k, RULE_KIND_LABELS[k as RuleKind] ?? k, (r) => r.byKind[k] ?? 0, 0),
      ),
    ],
  };
  return built(body, table, `alerts-${q.from}-${q.to}`);
}
