// Messages between the hub bench (bench/src/hub.ts) and its WebSocket receiver process
// (bench/src/hub-receiver.ts), over the child's IPC channel.
import type { Spread } from './hub-stats.ts';

export interface EnsureCommand {
  type: 'ensure';
  /** ws://127.0.0.1:port/ws?token=... */
  url: string;
  /** Open exactly this many clients: connect missing (or closed) ones, close extra ones. */
  clients: number;
  /** Clients 0 .. sample-1 parse every positions frame and measure latency. */
  sample: number;
  /** Connections opened at the same time. */
  concurrency: number;
  timeoutMs: number;
  /** How the clients ask for positions frames (`format` on subscribe). */
  format: 'json' | 'columns';
  /**
   * Each client sets this viewport, moved by up to jitterDeg per client (slot-seeded) so no two
   * share a box; undefined: full-fleet clients. Clients of another format or viewport are
   * reconnected.
   */
  viewport?: { bbox: [number, number, number, number]; zoom: number; jitterDeg: number };
}

export interface WindowCommand {
  type: 'window';
  /** The measured window, Date.now() ms: frames arriving in [start, end) count, and the latency
   * of positions whose device time lies in it. */
  start: number;
  end: number;
}

export type ReceiverCommand =
  | EnsureCommand
  | WindowCommand
  /** Ends the window's bookkeeping and answers with its stats. */
  | { type: 'collect' }
  | { type: 'close-all' };

export interface ReceiverPhaseStats {
  /** Clients open at the start of the window. */
  clients: number;
  sampleClients: number;
  /** positions frames received by all clients in the window. */
  frames: number;
  /** positions frames received from the start of the window until the collect (the tail too):
   * compared with the frames the hub counted as sent over the same span. */
  framesThroughCollect: number;
  /** Other frames (snapshot, status, ...) in the window. */
  otherFrames: number;
  /** Payload bytes of all frames in the window. */
  bytes: number;
  /** positions frames per client in the window (clients open at its start). */
  perClientFrames: Spread;
  /** Sample clients: positions frames and the positions in them with a device time in the window. */
  sampleFrames: number;
  samplePositions: number;
  /** Latency pairs [ms, count] (MsHistogram.toPairs) of those positions. */
  latency: [number, number][];
  /** Positions whose device time was ahead of the receiver's clock (counted as 0 ms). */
  ahead: number;
  /** Closes by the server in the window, by close code. */
  closed: Record<string, number>;
  /** Connection errors in the window. */
  errors: number;
  /** Clients open at the end of the window. */
  openAtEnd: number;
  /** The receiver's own event loop: delay p99 / max (ms) and utilisation over the window. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  loopUtilization: number;
}

export type ReceiverEvent =
  | { type: 'ready' }
  | {
      type: 'ensured';
      open: number;
      opened: number;
      closed: number;
      ms: number;
      /** Failed connection attempts (each is retried twice), and the first few reasons. */
      failed: number;
      failures: string[];
    }
  /** Once a second: cumulative counters, and the sample latency of the last second. */
  | {
      type: 'tick';
      /** Date.now() of the report. */
      at: number;
      frames: number;
      bytes: number;
      open: number;
      samplePositions: number;
      p50Ms: number;
      p99Ms: number;
      /** Latencies recorded in the last second (0: p50/p99 mean nothing). */
      samples: number;
    }
  | { type: 'collected'; stats: ReceiverPhaseStats }
  | { type: 'closed-all' }
  | { type: 'error'; error: string };
