// Messages from WebSocket clients to the hub, as the hub validates them (api/src/hub). Kept
// apart from live.ts, which the browser bundles: the console only needs the type.
import { z } from 'zod';
import { HUB_MAX_ZOOM, HUB_TOPIC } from './live.ts';

const topics = z
  .array(z.string().regex(HUB_TOPIC, 'a topic is positions, status, events, alerts, jobs or device:{id}'))
  .min(1)
  .max(100);

// z.number() refuses NaN and the infinities (JSON's 1e999 parses to Infinity).
const lon = z.number().min(-180, 'a longitude is -180..180').max(180, 'a longitude is -180..180');
const lat = z.number().min(-90, 'a latitude is -90..90').max(90, 'a latitude is -90..90');
/** [west, south, east, north]; west > east crosses the antimeridian (RFC 7946 5.2), south > north is refused. */
const bbox = z
  .tuple([lon, lat, lon, lat])
  .refine(([, south, , north]) => south <= north, 'bbox: south must not be north of north');

export const hubClientMessage = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('auth'), token: z.string().min(1).max(4096) }),
  z.strictObject({
    op: z.literal('subscribe'),
    topics,
    /** How positions frames come from now on (hub-wide for the socket); absent: unchanged, first json. */
    format: z.enum(['json', 'columns']).optional(),
  }),
  /**
   * Positions of the `positions` topic only inside bbox, cluster counts for the rest; bbox null
   * goes back to the whole fleet. zoom (0..HUB_MAX_ZOOM) sizes the cluster grid.
   */
  z
    .strictObject({
      op: z.literal('viewport'),
      bbox: bbox.nullable(),
      zoom: z.number().min(0, 'zoom is 0..24').max(HUB_MAX_ZOOM, 'zoom is 0..24').optional(),
    })
    .refine((m) => m.bbox === null || m.zoom !== undefined, 'a viewport needs a zoom'),
  z.strictObject({ op: z.literal('unsubscribe'), topics }),
  z.strictObject({ op: z.literal('ping') }),
]);
export type HubClientMessage = z.infer<typeof hubClientMessage>;
