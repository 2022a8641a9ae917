// The channel between the launcher and each of its child processes: Node's IPC channel of a
// forked child, with the advanced (structured clone) serialisation, so Dates and byte arrays
// cross as they are. Everything that crosses it is one of the messages below; anything else is
// dropped. Both ends are processes of this build, but a child may be half-dead or buggy, so
// each end checks the shape of what it receives.
import type { ChildProcess } from 'node:child_process';
import type { BusMessage } from '@fleet/shared';
import type { DbNotification, DbReply, DbRequest } from './ipc-database.ts';

/** Process roles of the embedded default. */
export const CHILD_ROLES = ['ingest', 'api'] as const;
export type ChildRole = (typeof CHILD_ROLES)[number];

/** A child's word that it serves (its listeners accept connections). */
export interface ReadyMessage {
  t: 'ready';
  role: ChildRole;
}

/** The API asks for the metrics of the whole platform; the launcher merges every process's. */
export interface MetricsRequest {
  t: 'metrics-request';
  id: number;
}
export interface MetricsReply {
  t: 'metrics-reply';
  id: number;
  /** prom-client's getMetricsAsJSON of each process, or an error text. */
  metrics: unknown[];
}

export type IpcMessage =
  | BusMessage
  | DbRequest
  | DbReply
  | DbNotification
  | ReadyMessage
  | MetricsRequest
  | MetricsReply;

export interface IpcChannel {
  send(message: IpcMessage): void;
  /** Calls `handler` for every message; returns a stop function. */
  onMessage(handler: (message: IpcMessage) => void): () => void;
}

function isMessage(value: unknown): value is IpcMessage {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
}

function channelOver(target: {
  send?: (message: unknown) => boolean;
  connected?: boolean;
  on(event: 'message', handler: (message: unknown) => void): unknown;
  off(event: 'message', handler: (message: unknown) => void): unknown;
}): IpcChannel {
  return {
    send(message) {
      // A closed channel (the other side exited) is not an error of the sender's.
      if (target.send && target.connected !== false) target.send(message);
    },
    onMessage(handler) {
      const listener = (message: unknown) => {
        if (isMessage(message)) handler(message);
      };
      target.on('message', listener);
      return () => target.off('message', listener);
    },
  };
}

/** This process's channel to its launcher; undefined when it was not forked with one. */
export function launcherChannel(): IpcChannel | undefined {
  if (!process.send) return undefined;
  return channelOver(process as unknown as Parameters<typeof channelOver>[0]);
}

/** The launcher's channel to one child. */
export function childChannel(child: ChildProcess): IpcChannel {
  return channelOver(child as unknown as Parameters<typeof channelOver>[0]);
}
