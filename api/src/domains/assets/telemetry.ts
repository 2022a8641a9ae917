// Telemetry asked by asset: the same track, series, events and latest state as the device
// routes (routes/history.ts, routes/devices.ts), read across the asset's installations. Each
// device counts only inside its own installation window, so a tracker moved from van A to van
// B leaves A's history with A, and a replaced tracker continues A's history without a gap.
import type { LiveDeviceState } from '@fleet/ingest';
import { TELEMETRY_FIELDS } from '@fleet/shared';
import { z } from 'zod';
import {
  type AssetScope,
  isChartField,
  readDeviceEvents,
  readTelemetrySeries,
  readTrack,
  type TimeRange,
  trackToCsv,
  trackToGeoJson,
} from '../../history.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { toLiveDevice } from '../../live-view.ts';
import { ANY_ROLE } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import {
  checkRange,
  eventQuerySchema,
  seriesBucketMs,
  telemetryQuerySchema,
  trackQuerySchema,
} from '../../routes/history.ts';
import { ERROR_RESPONSES, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { type Asset, Installations, notFound } from './repository.ts';
import {
  assetEventListSchema,
  assetLatestSchema,
  assetTelemetrySeriesSchema,
  assetTrackSchema,
} from './schemas.ts';

const errors = { ...ERROR_RESPONSES, 404: notFoundResponse('asset') } as const;
const LATEST_VALUES = TELEMETRY_FIELDS.filter((f) => f.name !== 'seq');

type LatestValues = Record<string, number | boolean | string | string[]>;

/** A device's live state as it concerns one asset: nothing from before it was installed there. */
function sinceInstalled(state: LiveDeviceState, since: number): LiveDeviceState {
  return {
    ...state,
    position: state.position && state.position.ts >= since ? state.position : undefined,
    latest: state.latest && state.latest.ts >= since ? state.latest : undefined,
  };
}

/**
 * The latest of several devices on one asset: the newest position of any of them, each value
 * from the newest record that has it, and the status of the device whose position is newest.
 * A vehicle's odometer and engine hours get its offsets, to read as its dashboard does.
 */
export function assetLatest(
  asset: Pick<Asset, 'kind' | 'odometerOffsetKm' | 'engineHoursOffset'>,
  states: readonly LiveDeviceState[],
  now: number,
  offlineAfterMs: number,
) {
  const byRecord = [...states].sort((a, b) => (a.latest?.ts ?? -1) - (b.latest?.ts ?? -1));
  const values: LatestValues = {};
  let valuesAt: number | null = null;
  for (const s of byRecord) {
    const latest = s.latest;
    if (!latest) continue;
    valuesAt = latest.ts;
    for (const f of LATEST_VALUES) {
      const v = latest[f.name];
      if (v !== undefined) values[f.name] = v;
    }
  }
  if (asset.kind === 'vehicle') {
    if (typeof values.odometerKm === 'number') values.odometerKm += asset.odometerOffsetKm;
    if (typeof values.engineHours === 'number') values.engineHours += asset.engineHoursOffset;
  }
  const primary = [...states].sort(
    (a, b) => (b.position?.ts ?? -1) - (a.position?.ts ?? -1) || (b.lastSeenAt ?? -1) - (a.lastSeenAt ?? -1),
  )[0];
  const live = toLiveDevice(primary?.deviceId ?? '', primary, now, offlineAfterMs);
  const lastSeen = states.map((s) => s.lastSeenAt).filter((t): t is number => t !== undefined);
  return {
    position: live.position,
    status: live.status,
    connection: states.some((s) => s.status === 'online') ? ('online' as const) : live.connection,
    lastSeenAt: lastSeen.length > 0 ? Math.max(...lastSeen) : null,
    valuesAt,
    values,
  };
}

export function assetTelemetryRoutes(ctx: ApiContext): AnyRoute[] {
  const offlineAfterMs = ctx.config.DEVICE_OFFLINE_AFTER_S * 1000;

  /** The asset's windows in the range, as a QuestDB scope; 404 when the caller does not see it. */
  async function scope(orgId: string, assetId: string, range: TimeRange) {
    const found = await new Installations(ctx.db, orgId).windows(assetId, range);
    if (!found) throw notFound(undefined);
    const history: AssetScope = { tenant: orgId, windows: found.windows };
    return { history, deviceIds: [...new Set(found.windows.map((w) => w.deviceId))] };
  }

  return [
    defineRoute({
      id: 'getAssetTrack',
      method: 'get',
      path: '/api/v1/assets/{id}/track',
      tag: 'history',
      summary: "A vehicle's or equipment item's positions over a time range, across its devices",
      description:
        'The positions of each device while it was installed on the asset; otherwise as GET /api/v1/devices/{id}/track (simplification, `format`, at most 31 days).',
      access: ANY_ROLE,
      params: uuidParam,
      query: trackQuerySchema,
      responses: {
        200: {
          description: 'The track',
          schema: assetTrackSchema,
          alternatives: {
            'application/geo+json': z.object({ type: z.literal('Feature') }),
            'text/csv': z.string(),
          },
        },
        ...errors,
      },
      async handler({ principal, params, query }) {
        checkRange(query);
        const s = await scope(principal.orgId, params.id, query);
        const track = await readTrack(
          ctx.questdb,
          s.history,
          query,
          query.maxPoints === undefined ? {} : { maxPoints: query.maxPoints },
        );
        if (query.format === 'geojson') {
          const feature = trackToGeoJson({ tenant: principal.orgId, deviceId: '' }, track);
          const { deviceId: _, ...properties } = feature.properties;
          return {
            status: 200,
            raw: JSON.stringify({
              ...feature,
              properties: { assetId: params.id, deviceIds: s.deviceIds, ...properties },
            }),
            contentType: 'application/geo+json',
          };
        }
        if (query.format === 'csv')
          return {
            status: 200,
            raw: trackToCsv(track),
            contentType: 'text/csv; charset=utf-8',
            headers: { 'content-disposition': `attachment; filename="track-${params.id}.csv"` },
          };
        return {
          status: 200,
          body: { assetId: params.id, deviceIds: s.deviceIds, from: query.from, to: query.to, ...track },
        };
      },
    }),
    defineRoute({
      id: 'getAssetTelemetry',
      method: 'get',
      path: '/api/v1/assets/{id}/telemetry',
      tag: 'history',
      summary: 'Chart series of a vehicle or equipment item, across its devices',
      description:
        'As GET /api/v1/devices/{id}/telemetry; a bucket aggregates every device installed on the asset at that time.',
      access: ANY_ROLE,
      params: uuidParam,
      query: telemetryQuerySchema,
      responses: {
        200: { description: 'Columnar series, ready for a chart', schema: assetTelemetrySeriesSchema },
        ...errors,
      },
      async handler({ principal, params, query }) {
        checkRange(query);
        const bucketMs = seriesBucketMs(query);
        const s = await scope(principal.orgId, params.id, query);
        const fields = [...new Set(query.fields)].filter(isChartField);
        const series = await readTelemetrySeries(ctx.questdb, s.history, query, fields, bucketMs);
        return { status: 200, body: { assetId: params.id, deviceIds: s.deviceIds, ...series } };
      },
    }),
    defineRoute({
      id: 'getAssetEvents',
      method: 'get',
      path: '/api/v1/assets/{id}/events',
      tag: 'history',
      summary: 'Events of the devices on a vehicle or equipment item, newest first',
      access: ANY_ROLE,
      params: uuidParam,
      query: eventQuerySchema,
      responses: { 200: { description: 'Events', schema: assetEventListSchema }, ...errors },
      async handler({ principal, params, query }) {
        checkRange(query);
        const s = await scope(principal.orgId, params.id, query);
        const items = await readDeviceEvents(ctx.questdb, s.history, query, query.limit);
        return { status: 200, body: { assetId: params.id, deviceIds: s.deviceIds, items } };
      },
    }),
    defineRoute({
      id: 'getAssetLatest',
      method: 'get',
      path: '/api/v1/assets/{id}/latest',
      tag: 'assets',
      summary: 'The latest position, status and values of a vehicle or equipment item',
      description:
        "From the devices installed on it now, since each was installed; a vehicle's odometerKm and engineHours include its offsets.",
      access: ANY_ROLE,
      params: uuidParam,
      responses: {
        200: { description: 'Latest state; values no device reported are absent', schema: assetLatestSchema },
        ...errors,
      },
      async handler({ principal, params }) {
        const found = await new Installations(ctx.db, principal.orgId).current(params.id);
        if (!found) throw notFound(undefined);
        const states: LiveDeviceState[] = [];
        for (const { deviceId, since } of found.open) {
          const state = await ctx.liveState.get(deviceId);
          // The live state is keyed by device alone: its tenant is checked, not assumed.
          if (state && state.tenant === principal.orgId) states.push(sinceInstalled(state, since));
        }
        return {
          status: 200,
          body: {
            assetId: params.id,
            deviceIds: found.open.map((o) => o.deviceId),
            ...assetLatest(found.asset, states, Date.now(), offlineAfterMs),
          },
        };
      },
    }),
  ];
}
