// Messages between the bench's main thread and its load-generator workers.

export interface BenchDevice {
  id: string;
  token: string;
}

export interface ConnectCommand {
  type: 'connect';
  port: number;
  devices: BenchDevice[];
  keepaliveS: number;
}

export interface RunCommand {
  type: 'run';
  phase: string;
  /** Wall-clock (Date.now()) end of the measured window; nothing is published after it. */
  endAt: number;
  /** Messages per second for this worker; 0 = as fast as the in-flight cap allows. */
  rate: number;
  inflight: number;
  batch: number;
  /** How long to wait for the PUBACKs still outstanding at endAt. */
  drainTimeoutMs: number;
}

export type WorkerCommand = ConnectCommand | RunCommand | { type: 'disconnect' } | { type: 'abort' };

/** Counters of one worker, cumulative since the start of the run. */
export interface RunCounters {
  /** Messages published. */
  sent: number;
  /** Messages PUBACKed inside the window / after it (drain). */
  acked: number;
  drained: number;
  /** Records in those messages. */
  ackedRecords: number;
  drainedRecords: number;
  /** publish callbacks with an error (connection lost, ...). */
  errors: number;
  /** Connections lost during the run. */
  disconnects: number;
  /** Paced runs: messages the pacer could not send because every connection was at its cap. */
  missedSlots: number;
}

export type WorkerEvent =
  | { type: 'connected'; ok: true; ms: number }
  | { type: 'connected'; ok: false; error: string }
  /** Sent every 100 ms during a run: counters and the PUBACK latencies (µs) since the last tick. */
  | { type: 'tick'; counters: RunCounters; latencyUs: Float64Array }
  | {
      type: 'done';
      counters: RunCounters;
      latencyUs: Float64Array;
      /** Messages still without a PUBACK after the drain timeout. */
      unacked: number;
      /** Largest lead of a record's ts_ms over the wall clock at publish time, ms. */
      maxTsLeadMs: number;
      /** Last seq sent per device (for diagnostics). */
      lastSeq: Record<string, number>;
    }
  | { type: 'disconnected' }
  | { type: 'error'; error: string };

/** Counters of a run before anything happened. */
export function zeroCounters(): RunCounters {
  return {
    sent: 0,
    acked: 0,
    drained: 0,
    ackedRecords: 0,
    drainedRecords: 0,
    errors: 0,
    disconnects: 0,
    missedSlots: 0,
  };
}
