// Reports: the fleet summary (distance, driving, idling, engine time, fuel, utilisation) per
// asset or per day over up to a quarter of the organisation's calendar, from the trips and stops
// the device side keeps (ingest/src/trips); JSON or CSV. Everyone reads; a department-scoped
// user's summary holds the assets of their subtree only.
import { z } from 'zod';
import { writeCsv } from '../../csv/file.ts';
import { ApiError } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES } from '../../routes/schemas.ts';
import { readSummaryInput } from './repository.ts';
import { summaryQuerySchema, summarySchema } from './schemas.ts';
import { type SummaryRow, summarise } from './summary.ts';

const hours = (s: number) => String(Math.round((s / 3600) * 100) / 100);

function summaryCsv(by: 'asset' | 'day', rows: readonly SummaryRow[]): string {
  const head = by === 'asset' ? ['asset', 'kind', 'plate', 'category', 'department'] : ['day'];
  return writeCsv(
    [...head, 'trips', 'distance_km', 'driving_h', 'idle_h', 'engine_h', 'after_hours_h', 'fuel_l', 'utilisation'],
    rows.map((r) => [
      ...(by === 'asset'
        ? [
            r.asset?.name ?? '',
            r.asset?.kind ?? '',
            r.asset?.plate ?? '',
            r.asset?.category ?? '',
            r.asset?.departmentName ?? '',
          ]
        : [r.day ?? '']),
      String(r.trips),
      String(r.distanceKm),
      hours(r.drivingS),
      hours(r.idleS),
      hours(r.engineS),
      hours(r.afterHoursS),
      String(r.fuelLitres),
      r.utilisation === null ? '' : String(r.utilisation),
    ]),
  );
}

export function reportRoutes(ctx: ApiContext): AnyRoute[] {
  return [
    defineRoute({
      id: 'fleetSummary',
      method: 'get',
      path: '/api/v1/reports/summary',
      tag: 'reports',
      summary:
        'The fleet summary per asset or per day: distance, driving, idling, engine time, fuel, utilisation',
      description:
        "Days are the organisation's calendar days, `from` to `to` included, at most 92. From the trips and stops the platform keeps as telemetry arrives (a trip counts on the day it starts); engine time is trips' time and idling at stops; utilisation is engine time over the organisation's working time. `departmentId` includes its sub-departments. `format=csv` for a spreadsheet.",
      access: ANY_ROLE,
      query: summaryQuerySchema,
      responses: {
        200: { description: 'The summary', schema: summarySchema, alternatives: { 'text/csv': z.string() } },
        ...ERROR_RESPONSES,
      },
      async handler({ principal, query }) {
        const input = await readSummaryInput(ctx.db, ctx.questdb, principal.orgId, query);
        if (!input)
          throw new ApiError('validation_failed', 'No such department.', {
            details: [{ path: 'query.departmentId', message: 'no such department in your organisation' }],
          });
        const { rows, totals } = summarise({ ...input, by: query.by, from: query.from, to: query.to });
        if (query.format === 'csv')
          return {
            status: 200,
            raw: summaryCsv(query.by, rows),
            contentType: 'text/csv; charset=utf-8',
            headers: {
              'content-disposition': `attachment; filename="summary-${query.from}-${query.to}.csv"`,
            },
          };
        return {
          status: 200,
          body: { from: query.from, to: query.to, by: query.by, timeZone: input.timeZone, rows, totals },
        };
      },
    }),
  ];
}
