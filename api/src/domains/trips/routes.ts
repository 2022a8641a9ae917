// Trips and stops by asset: what the device side detected from the telemetry of each device
// while it was installed on the asset (ingest/src/trips), for a range of at most 31 days, with
// totals; as JSON or CSV. The trip in progress is included, flagged.

import { z } from 'zod';
import { writeCsv } from '../../csv/file.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { checkRange } from '../../routes/history.ts';
import { ERROR_RESPONSES, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { Installations, notFound } from '../assets/repository.ts';
import { readStops, readTrips, type SegmentReader } from './repository.ts';
import { type StopOut, segmentQuerySchema, stopListSchema, type TripOut, tripListSchema } from './schemas.ts';

const errors = { ...ERROR_RESPONSES, 404: notFoundResponse('asset') } as const;
const sum = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 1000) / 1000;

function tripsCsv(items: readonly TripOut[]): string {
  return writeCsv(
    [
      'started_at',
      'ended_at',
      'in_progress',
      'from',
      'to',
      'distance_km',
      'duration_s',
      'driving_s',
      'idle_s',
      'max_speed_kmh',
      'avg_speed_kmh',
      'odometer_start_km',
      'odometer_end_km',
      'driver',
      'job',
    ],
    items.map((t) => [
      t.startedAt,
      t.endedAt,
      String(t.inProgress),
      t.start.place?.name ?? `${t.start.lat},${t.start.lon}`,
      t.end.place?.name ?? `${t.end.lat},${t.end.lon}`,
      String(t.distanceKm),
      String(t.durationS),
      String(t.drivingS),
      String(t.idleS),
      String(t.maxSpeedKmh),
      String(t.avgSpeedKmh),
      t.odometerStartKm === null ? '' : String(t.odometerStartKm),
      t.odometerEndKm === null ? '' : String(t.odometerEndKm),
      t.driver?.name ?? '',
      t.job?.reference ?? '',
    ]),
  );
}

function stopsCsv(items: readonly StopOut[]): string {
  return writeCsv(
    ['started_at', 'ended_at', 'in_progress', 'place', 'lat', 'lon', 'duration_s', 'engine_on_s'],
    items.map((s) => [
      s.startedAt,
      s.endedAt,
      String(s.inProgress),
      s.place?.name ?? '',
      String(s.lat),
      String(s.lon),
      String(s.durationS),
      String(s.engineOnS),
    ]),
  );
}

export function tripRoutes(ctx: ApiContext): AnyRoute[] {
  async function windows(orgId: string, assetId: string, range: { from: number; to: number }) {
    const found = await new Installations(ctx.db, orgId).windows(assetId, range);
    if (!found) throw notFound(undefined);
    return found.windows;
  }
  const csv = (name: string, id: string, text: string) => ({
    status: 200 as const,
    raw: text,
    contentType: 'text/csv; charset=utf-8',
    headers: { 'content-disposition': `attachment; filename="${name}-${id}.csv"` },
  });
  /** One asset's trips or stops: the range checked, its installations' windows, read, as CSV or with totals. */
  async function answer<T, Totals>(
    orgId: string,
    assetId: string,
    query: { from: number; to: number; format: 'json' | 'csv' },
    name: 'trips' | 'stops',
    read: SegmentReader<T>,
    toCsv: (items: readonly T[]) => string,
    totals: (items: readonly T[]) => Totals,
  ) {
    checkRange(query);
    const w = await windows(orgId, assetId, query);
    const items = await read(ctx.questdb, ctx.db, orgId, assetId, w, query);
    if (query.format === 'csv') return csv(name, assetId, toCsv(items));
    return {
      status: 200 as const,
      body: { assetId, from: query.from, to: query.to, items, totals: totals(items) },
    };
  }
  return [
    defineRoute({
      id: 'getAssetTrips',
      method: 'get',
      path: '/api/v1/assets/{id}/trips',
      tag: 'trips',
      summary: "A vehicle's trips that start in a range (at most 31 days), with totals",
      description:
        "Detected as telemetry arrives: moving once 200 m from the last stop, stopped after 180 s within 200 m or with the ignition off, a gap over an hour splits (docs/decisions.md, 'Trips and stops'). Late records are computed again, so a trip may change after a tracker replays its buffer. `format=csv` for a spreadsheet.",
      access: ANY_ROLE,
      params: uuidParam,
      query: segmentQuerySchema,
      responses: {
        200: { description: 'The trips', schema: tripListSchema, alternatives: { 'text/csv': z.string() } },
        ...errors,
      },
      handler: ({ principal, params, query }) =>
        answer(principal.orgId, params.id, query, 'trips', readTrips, tripsCsv, (items) => ({
          trips: items.length,
          distanceKm: sum(items.map((t) => t.distanceKm)),
          durationS: sum(items.map((t) => t.durationS)),
          idleS: sum(items.map((t) => t.idleS)),
        })),
    }),
    defineRoute({
      id: 'getAssetStops',
      method: 'get',
      path: '/api/v1/assets/{id}/stops',
      tag: 'trips',
      summary: "A vehicle's or equipment item's stops that start in a range (at most 31 days)",
      access: ANY_ROLE,
      params: uuidParam,
      query: segmentQuerySchema,
      responses: {
        200: { description: 'The stops', schema: stopListSchema, alternatives: { 'text/csv': z.string() } },
        ...errors,
      },
      handler: ({ principal, params, query }) =>
        answer(principal.orgId, params.id, query, 'stops', readStops, stopsCsv, (items) => ({
          stops: items.length,
          durationS: sum(items.map((s) => s.durationS)),
          engineOnS: sum(items.map((s) => s.engineOnS)),
        })),
    }),
  ];
}
