// The client side of /ws as a table: a frame is parsed and validated once (hubClientMessage,
// shared/src/hub-messages.ts), then handed to the handler of its op. Anything else is refused
// with an error frame and counted; nothing a client sends can throw past this point.
import { type HubClientMessage, hubClientMessage } from '@fleet/shared';

export type HubOp = HubClientMessage['op'];
export const HUB_OPS: readonly HubOp[] = ['auth', 'subscribe', 'unsubscribe', 'viewport', 'ping'];

export type ParsedMessage = { ok: true; message: HubClientMessage } | { ok: false; text: string };

/** A client frame as a message, or why not (the text of the error frame). */
export function parseClientMessage(data: ArrayBuffer, isBinary: boolean): ParsedMessage {
  let parsed: unknown;
  try {
    // uWS has checked the UTF-8 of every text frame before it gets here.
    parsed = isBinary ? undefined : JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = hubClientMessage.safeParse(parsed);
  if (result.success) return { ok: true, message: result.data };
  return {
    ok: false,
    text:
      parsed === undefined
        ? 'send JSON text frames'
        : `invalid message: ${result.error.issues[0]?.message ?? 'unknown'} (ops: ${HUB_OPS.join(', ')})`,
  };
}

/** One handler per op, each given its own message type. */
export type HubHandlers<S> = {
  [K in HubOp]: (ws: S, message: Extract<HubClientMessage, { op: K }>) => Promise<void> | void;
};

export function dispatch<S>(
  handlers: HubHandlers<S>,
  ws: S,
  message: HubClientMessage,
): Promise<void> | void {
  const handler = handlers[message.op] as (ws: S, message: HubClientMessage) => Promise<void> | void;
  return handler(ws, message);
}
