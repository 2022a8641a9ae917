// Trips and stops by asset: what the device side detected from the telemetry of each device
// while it was installed on the asset (ingest/src/trips), for a range of at most 31 days, with
// totals; as JSON, CSV or XLSX. The trip in progress is included, flagged.

import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { checkRange } from '../../routes/history.ts';
import { ERROR_RESPONSES, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { Installations, notFound } from '../assets/repository.ts';
import {
  type AnyColumn,
  boolean,
  FILE_ALTERNATIVES,
  fileReply,
  hours,
  instant,
  number,
  text,
  timeZoneOf,
} from '../reports/export.ts';
import { readStops, readTrips, type SegmentReader } from './repository.ts';
import { type StopOut, segmentQuerySchema, stopListSchema, type TripOut, tripListSchema } from './schemas.ts';

const errors = { ...ERROR_RESPONSES, 404: notFoundResponse('asset') } as const;
const sum = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 1000) / 1000;
const where = (p: TripOut['start']) => p.place?.name ?? `${p.lat},${p.lon}`;

// The files' columns (reports/export.ts renders them as CSV or XLSX).
const TRIP_COLUMNS: AnyColumn<TripOut>[] = [
  instant('started_at', 'Started', (t) => t.startedAt),
  instant('ended_at', 'Ended', (t) => t.endedAt),
  boolean('in_progress', 'In progress', (t) => t.inProgress),
  text('from', 'From', (t) => where(t.start), 24),
  text('to', 'To', (t) => where(t.end), 24),
  number('distance_km', 'Distance (km)', (t) => t.distanceKm, 1),
  hours('duration_h', 'Duration (h)', (t) => t.durationS),
  hours('driving_h', 'Driving (h)', (t) => t.drivingS),
  hours('idle_h', 'Idling (h)', (t) => t.idleS),
  hours('after_hours_h', 'After hours (h)', (t) => t.afterHoursS),
  number('max_speed_kmh', 'Max speed (km/h)', (t) => t.maxSpeedKmh, 0),
  number('avg_speed_kmh', 'Average speed (km/h)', (t) => t.avgSpeedKmh, 0),
  number('odometer_start_km', 'Odometer at start (km)', (t) => t.odometerStartKm, 1),
  number('odometer_end_km', 'Odometer at end (km)', (t) => t.odometerEndKm, 1),
  text('driver', 'Driver', (t) => t.driver?.name ?? null),
  text('job', 'Job', (t) => t.job?.reference ?? null),
];

const STOP_COLUMNS: AnyColumn<StopOut>[] = [
  instant('started_at', 'Started', (s) => s.startedAt),
  instant('ended_at', 'Ended', (s) => s.endedAt),
  boolean('in_progress', 'In progress', (s) => s.inProgress),
  text('place', 'Place', (s) => s.place?.name ?? null, 24),
  number('lat', 'Latitude', (s) => s.lat),
  number('lon', 'Longitude', (s) => s.lon),
  hours('duration_h', 'Duration (h)', (s) => s.durationS),
  hours('engine_on_h', 'Engine on (h)', (s) => s.engineOnS),
];

export function tripRoutes(ctx: ApiContext): AnyRoute[] {
  async function windows(orgId: string, assetId: string, range: { from: number; to: number }) {
    const found = await new Installations(ctx.db, orgId).windows(assetId, range);
    if (!found) throw notFound(undefined);
    return found.windows;
  }
  /** One asset's trips or stops: the range checked, its installations' windows, read, as a file or with totals. */
  async function answer<T, Totals>(
    orgId: string,
    assetId: string,
    query: { from: number; to: number; format: 'json' | 'csv' | 'xlsx' },
    name: 'trips' | 'stops',
    read: SegmentReader<T>,
    columns: readonly AnyColumn<T>[],
    totals: (items: readonly T[]) => Totals,
  ) {
    checkRange(query);
    const w = await windows(orgId, assetId, query);
    const items = await read(ctx.questdb, ctx.db, orgId, assetId, w, query);
    if (query.format !== 'json')
      return fileReply(
        { sheet: name, timeZone: await timeZoneOf(ctx.db, orgId), columns, rows: items },
        query.format,
        `${name}-${assetId}`,
      );
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
        "Detected as telemetry arrives: moving once 200 m from the last stop, stopped after 180 s within 200 m or with the ignition off, a gap over an hour splits (docs/decisions.md, 'Trips and stops'). Late records are computed again, so a trip may change after a tracker replays its buffer. `format=csv` or `format=xlsx` for a file (durations in hours).",
      access: ANY_ROLE,
      params: uuidParam,
      query: segmentQuerySchema,
      responses: {
        200: { description: 'The trips', schema: tripListSchema, alternatives: FILE_ALTERNATIVES },
        ...errors,
      },
      handler: ({ principal, params, query }) =>
        answer(principal.orgId, params.id, query, 'trips', readTrips, TRIP_COLUMNS, (items) => ({
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
        200: { description: 'The stops', schema: stopListSchema, alternatives: FILE_ALTERNATIVES },
        ...errors,
      },
      handler: ({ principal, params, query }) =>
        answer(principal.orgId, params.id, query, 'stops', readStops, STOP_COLUMNS, (items) => ({
          stops: items.length,
          durationS: sum(items.map((s) => s.durationS)),
          engineOnS: sum(items.map((s) => s.engineOnS)),
        })),
    }),
  ];
}
