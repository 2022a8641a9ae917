// Messages from WebSocket clients to the hub, as the hub validates them (api/src/hub). Kept
// apart from live.ts, which the browser bundles: the console only needs the type.
import { z } from 'zod';
import { HUB_TOPIC } from './live.ts';

const topics = z
  .array(z.string().regex(HUB_TOPIC, 'a topic is positions, status, events, alerts, jobs or device:{id}'))
  .min(1)
  .max(100);

export const hubClientMessage = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('auth'), token: z.string().min(1).max(4096) }),
  z.strictObject({ op: z.literal('subscribe'), topics }),
  z.strictObject({ op: z.literal('unsubscribe'), topics }),
  z.strictObject({ op: z.literal('ping') }),
]);
export type HubClientMessage = z.infer<typeof hubClientMessage>;
