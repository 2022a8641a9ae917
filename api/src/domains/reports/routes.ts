// Reports over ranges of the organisation's calendar, from the trips and stops the device side
// keeps (ingest/src/trips) and the alerts: the fleet summary per asset or per day, utilisation
// per department, category or asset (which kits sit idle), geofence visits (time at each place),
// and alerts per asset; each as JSON, CSV or XLSX (export.ts). Everyone reads; a
// department-scoped user's reports hold the assets of their subtree only.
import type { z } from 'zod';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES } from '../../routes/schemas.ts';
import { type BuiltReport, buildAlerts, buildSummary, buildUtilisation, buildVisits } from './build.ts';
import { FILE_ALTERNATIVES } from './export.ts';
import {
  ALERTS_REPORT_MAX_DAYS,
  alertsReportQuerySchema,
  alertsReportSchema,
  IDLE_BELOW,
  summaryQuerySchema,
  summarySchema,
  UTILISATION_MAX_DAYS,
  utilisationQuerySchema,
  utilisationReportSchema,
  VISITS_MAX_DAYS,
  visitsQuerySchema,
  visitsReportSchema,
} from './schemas.ts';

const FILES = '`format=csv` or `format=xlsx` for a file (durations in hours, shares as percentages).';

/** JSON, or the report's rows as a file. */
async function answer<Body>(report: Promise<BuiltReport<Body>>, format: 'json' | 'csv' | 'xlsx') {
  const built = await report;
  if (format !== 'json') return built.file(format);
  return { status: 200 as const, body: built.body };
}

const ok = <S extends z.ZodType>(description: string, schema: S) => ({
  200: { description, schema, alternatives: FILE_ALTERNATIVES },
  ...ERROR_RESPONSES,
});

export function reportRoutes(ctx: ApiContext): AnyRoute[] {
  return [
    defineRoute({
      id: 'fleetSummary',
      method: 'get',
      path: '/api/v1/reports/summary',
      tag: 'reports',
      summary:
        'The fleet summary per asset or per day: distance, driving, idling, engine time, after hours, fuel, utilisation',
      description: `Days are the organisation's calendar days, \`from\` to \`to\` included, at most 92. From the trips and stops the platform keeps as telemetry arrives (a trip counts on the day it starts); engine time is trips' time and idling at stops; utilisation is engine time over the organisation's working time. \`departmentId\` includes its sub-departments. ${FILES}`,
      access: ANY_ROLE,
      query: summaryQuerySchema,
      responses: ok('The summary', summarySchema),
      handler: ({ principal, query }) => answer(buildSummary(ctx, principal.orgId, query), query.format),
    }),
    defineRoute({
      id: 'utilisationReport',
      method: 'get',
      path: '/api/v1/reports/utilisation',
      tag: 'reports',
      summary: 'Utilisation per department, equipment category or asset, and the assets that sat idle',
      description: `The share of the organisation's working time each group was in use (engine on: driving, idling in trips and at stops), over the calendar days \`from\` to \`to\`, at most ${UTILISATION_MAX_DAYS}. Each asset counts the range's whole working time. \`idle\`: the assets in use less than ${IDLE_BELOW * 100}% of it, lowest first. Retired assets are left out. ${FILES}`,
      access: ANY_ROLE,
      query: utilisationQuerySchema,
      responses: ok('The utilisation report', utilisationReportSchema),
      handler: ({ principal, query }) => answer(buildUtilisation(ctx, principal.orgId, query), query.format),
    }),
    defineRoute({
      id: 'visitsReport',
      method: 'get',
      path: '/api/v1/reports/visits',
      tag: 'reports',
      summary: 'Geofence visits: time at each place, per place or per place and asset',
      description: `From the stored stops (a stop: 180 s within 200 m, or the ignition off) that began in the calendar days \`from\` to \`to\` (at most ${VISITS_MAX_DAYS}), each counted at the smallest place containing it and for the asset its device was installed on. \`placeId\` keeps one place's visits, \`assetId\` one asset's. ${FILES}`,
      access: ANY_ROLE,
      query: visitsQuerySchema,
      responses: ok('The visits report', visitsReportSchema),
      handler: ({ principal, query }) => answer(buildVisits(ctx, principal.orgId, query), query.format),
    }),
    defineRoute({
      id: 'alertsReport',
      method: 'get',
      path: '/api/v1/reports/alerts',
      tag: 'reports',
      summary: 'Alerts per asset: by severity and rule kind, still open, mean time to resolve',
      description: `The alerts that started in the calendar days \`from\` to \`to\` (at most ${ALERTS_REPORT_MAX_DAYS}), per asset, most first. Suppressed alerts (explained by another one) and alerts on no asset are not counted. ${FILES}`,
      access: ANY_ROLE,
      query: alertsReportQuerySchema,
      responses: ok('The alerts report', alertsReportSchema),
      handler: ({ principal, query }) => answer(buildAlerts(ctx, principal.orgId, query), query.format),
    }),
  ];
}
