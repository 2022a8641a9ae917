// Telemetry history from QuestDB: a device's track (JSON, GeoJSON or CSV; simplified for long
// ranges), chart series (SAMPLE BY aggregates) and device events. The device is looked up
// under row-level security first, and every QuestDB query is scoped by tenant as well. A user
// with a department scope reads a device's history only from when it went onto their asset
// (domains/assets/device-scope.ts).
import { DeviceRegistry } from '@fleet/shared/db';
import { z } from 'zod';
import { deviceHistoryScope, noSuchDevice, reachDevice } from '../domains/assets/device-scope.ts';
import {
  CHART_FIELDS,
  chooseBucketMs,
  type DeviceScope,
  type HistoryScope,
  isChartField,
  readDeviceEvents,
  readTelemetrySeries,
  readTrack,
  type TimeRange,
  trackToCsv,
  trackToGeoJson,
} from '../history.ts';
import { ApiError } from '../http/errors.ts';
import { type AnyRoute, defineRoute, type Principal } from '../http/route.ts';
import { ANY_ROLE } from '../permissions.ts';
import type { ApiContext } from './context.ts';
import {
  deviceEventListSchema,
  deviceIdParam,
  ERROR_RESPONSES,
  instant,
  notFoundResponse,
  telemetrySeriesSchema,
  trackSchema,
} from './schemas.ts';

const DAY_MS = 86_400_000;
/** Longest range one request may ask for; longer views page by range. */
export const MAX_RANGE_DAYS = 31;
const MAX_BUCKETS = 10_000;

const BUCKET_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };

const bucket = z
  .string()
  .regex(/^\d{1,6}[smhd]$/, 'a bucket is a number and a unit: 10s, 5m, 1h, 1d')
  .transform((text) => Number(text.slice(0, -1)) * (BUCKET_UNITS[text.slice(-1)] ?? 1000))
  .refine((ms) => ms >= 1000, 'the smallest bucket is 1s')
  .refine((ms) => ms <= MAX_RANGE_DAYS * DAY_MS, `the largest bucket is ${MAX_RANGE_DAYS}d`);

const range = {
  from: instant,
  to: instant,
};

export function checkRange(q: { from: number; to: number }): void {
  if (q.to <= q.from)
    throw new ApiError('validation_failed', '`to` must be after `from`.', {
      details: [{ path: 'query.to', message: 'must be after from' }],
    });
  if (q.to - q.from > MAX_RANGE_DAYS * DAY_MS) {
    throw new ApiError('validation_failed', `A range may span at most ${MAX_RANGE_DAYS} days.`, {
      details: [{ path: 'query.to', message: `at most ${MAX_RANGE_DAYS} days after from` }],
    });
  }
}

const errors = { ...ERROR_RESPONSES, 404: notFoundResponse('device') } as const;

// The queries of the history routes, shared with the same routes by asset (domains/assets).
export const trackQuerySchema = z
  .strictObject({
    ...range,
    format: z.enum(['json', 'geojson', 'csv']).default('json'),
    maxPoints: z.coerce.number().int().min(2).max(100_000).optional(),
  })
  .meta({ id: 'TrackQuery' });

export const telemetryQuerySchema = z
  .strictObject({
    ...range,
    fields: z
      .string()
      .max(1000)
      .transform((t) => t.split(',').map((f) => f.trim()))
      .pipe(
        z
          .array(z.enum(CHART_FIELDS as [string, ...string[]]))
          .min(1)
          .max(CHART_FIELDS.length),
      )
      .meta({ description: `comma-separated, from: ${CHART_FIELDS.join(', ')}` }),
    bucket: bucket.optional().meta({ description: 'e.g. 10s, 5m, 1h; default: about 500 buckets' }),
  })
  .meta({ id: 'TelemetryQuery' });

export const eventQuerySchema = z
  .strictObject({ ...range, limit: z.coerce.number().int().min(1).max(1000).default(100) })
  .meta({ id: 'EventQuery' });

/** The bucket of a series query, checked against the range: at most MAX_BUCKETS. */
export function seriesBucketMs(query: { from: number; to: number; bucket?: number | undefined }): number {
  const bucketMs = query.bucket ?? chooseBucketMs(query);
  if ((query.to - query.from) / bucketMs > MAX_BUCKETS) {
    throw new ApiError('validation_failed', `At most ${MAX_BUCKETS} buckets: choose a larger bucket.`, {
      details: [{ path: 'query.bucket', message: 'too small for this range' }],
    });
  }
  return bucketMs;
}

export function historyRoutes(ctx: ApiContext): AnyRoute[] {
  /** The device (to name it in answers) and the part of its history the caller may read. */
  async function scope(
    principal: Principal,
    deviceId: string,
    range: TimeRange,
  ): Promise<DeviceScope & { history: HistoryScope }> {
    const reach = await reachDevice(ctx.db, principal, deviceId);
    const device = await new DeviceRegistry(ctx.db, principal.orgId).get(deviceId);
    if (!device) throw noSuchDevice();
    return {
      tenant: principal.orgId,
      deviceId: device.id,
      history: deviceHistoryScope(principal.orgId, reach, range),
    };
  }

  return [
    defineRoute({
      id: 'getDeviceTrack',
      method: 'get',
      path: '/api/v1/devices/{id}/track',
      tag: 'history',
      summary: "A device's positions over a time range",
      description: `Simplified (Douglas-Peucker) when the range holds many points; \`format\` gives GeoJSON or CSV instead. At most ${MAX_RANGE_DAYS} days per request.`,
      access: ANY_ROLE,
      params: deviceIdParam,
      query: trackQuerySchema,
      responses: {
        200: {
          description: 'The track',
          schema: trackSchema,
          alternatives: {
            'application/geo+json': z.object({ type: z.literal('Feature') }),
            'text/csv': z.string(),
          },
        },
        ...errors,
      },
      async handler({ principal, params, query }) {
        checkRange(query);
        const s = await scope(principal, params.id, query);
        const track = await readTrack(
          ctx.questdb,
          s.history,
          query,
          query.maxPoints === undefined ? {} : { maxPoints: query.maxPoints },
        );
        if (query.format === 'geojson') {
          return {
            status: 200,
            raw: JSON.stringify(trackToGeoJson(s, track)),
            contentType: 'application/geo+json',
          };
        }
        if (query.format === 'csv') {
          return {
            status: 200,
            raw: trackToCsv(track),
            contentType: 'text/csv; charset=utf-8',
            headers: { 'content-disposition': `attachment; filename="track-${s.deviceId}.csv"` },
          };
        }
        return { status: 200, body: { deviceId: s.deviceId, from: query.from, to: query.to, ...track } };
      },
    }),
    defineRoute({
      id: 'getDeviceTelemetry',
      method: 'get',
      path: '/api/v1/devices/{id}/telemetry',
      tag: 'history',
      summary: 'Chart series of a device: avg, min and max per time bucket',
      access: ANY_ROLE,
      params: deviceIdParam,
      query: telemetryQuerySchema,
      responses: {
        200: { description: 'Columnar series, ready for a chart', schema: telemetrySeriesSchema },
        ...errors,
      },
      async handler({ principal, params, query }) {
        checkRange(query);
        const bucketMs = seriesBucketMs(query);
        const s = await scope(principal, params.id, query);
        const fields = [...new Set(query.fields)].filter(isChartField);
        const series = await readTelemetrySeries(ctx.questdb, s.history, query, fields, bucketMs);
        return { status: 200, body: { deviceId: s.deviceId, ...series } };
      },
    }),
    defineRoute({
      id: 'getDeviceEvents',
      method: 'get',
      path: '/api/v1/devices/{id}/events',
      tag: 'history',
      summary: 'Device events (harsh driving, power cut, connects ...), newest first',
      access: ANY_ROLE,
      params: deviceIdParam,
      query: eventQuerySchema,
      responses: {
        200: {
          description: 'Events',
          schema: deviceEventListSchema,
        },
        ...errors,
      },
      async handler({ principal, params, query }) {
        checkRange(query);
        const s = await scope(principal, params.id, query);
        const items = await readDeviceEvents(ctx.questdb, s.history, query, query.limit);
        return { status: 200, body: { deviceId: s.deviceId, items } };
      },
    }),
  ];
}
