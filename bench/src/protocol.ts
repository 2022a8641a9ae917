// Messages between the bench's main thread and its load-generator workers, and the main
// thread's handle on those workers (shared by bench:ingest, bench:hub and bench:rules).
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { LatencySummary } from './report.ts';
import type { DeviceTrackSpec, ProbeTrigger, RulesTrackSpec } from './rules-scenario.ts';

export interface BenchDevice {
  id: string;
  token: string;
  /** bench:rules: the device's street and probe number (with ConnectCommand.track). */
  track?: DeviceTrackSpec;
}

export interface ConnectCommand {
  type: 'connect';
  port: number;
  devices: BenchDevice[];
  keepaliveS: number;
  /** Connections opened at the same time (default: all at once). */
  concurrency?: number;
  /**
   * bench:rules: devices report RulesTrack records (one per message, bench/src/rules-scenario.ts)
   * instead of the synthetic drive, and the alerts their probes cause come back as triggers.
   */
  track?: RulesTrackSpec;
  /**
   * Source addresses the connections are spread over, round-robin (bench:connect): loopback has
   * about 28,000 ephemeral ports per source address. Default: the system's choice.
   */
  localAddresses?: string[];
  /**
   * A storm (bench:connect): a CONNECT refused with CONNACK 3 (over the connect rate) or lost
   * before its CONNACK is tried again after about this many ms, until `deadlineMs` has passed
   * since the connect began; the answer carries every CONNACK latency. Default: any failure
   * fails the connect.
   */
  retryAfterMs?: number;
  deadlineMs?: number;
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
  | {
      type: 'connected';
      ok: true;
      ms: number;
      /** With retryAfterMs: each connection's CONNACK latency (µs, from opening the socket). */
      connackUs?: Float64Array;
      /** With retryAfterMs: attempts refused or lost and tried again. */
      retries?: number;
      /** With retryAfterMs: devices not connected by the deadline (or refused for good), and why the first was not. */
      failed?: number;
      firstError?: string;
    }
  /** With retryAfterMs, every 250 ms while connecting: connections made and attempts retried so far. */
  | { type: 'connect-progress'; connected: number; retries: number }
  | { type: 'connected'; ok: false; error: string }
  /** Sent every 100 ms during a run: counters and the PUBACK latencies (µs) since the last tick. */
  | { type: 'tick'; counters: RunCounters; latencyUs: Float64Array; triggers?: ProbeTrigger[] }
  | {
      type: 'done';
      counters: RunCounters;
      latencyUs: Float64Array;
      triggers?: ProbeTrigger[];
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

// ---------------------------------------------------------------------------------------------
// Request/answer over a message channel (a worker thread, a child process): one answer awaited
// at a time, and every wait fails at once when the other side dies.

export class AnswerWaiter<E extends { type: string }> {
  #waiting: { type: string; resolve: (e: E) => void; reject: (err: Error) => void } | undefined;
  #dead: Error | undefined;

  get dead(): Error | undefined {
    return this.#dead;
  }

  /** Waits for the next event of `type`; `send` is called once the wait is in place. */
  expect<T extends E['type']>(type: T, send: () => void = () => {}): Promise<Extract<E, { type: T }>> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise((resolve, reject) => {
      this.#waiting = { type, resolve: resolve as (e: E) => void, reject };
      send();
    });
  }

  /** Hands an event to the wait for its type, if any. */
  deliver(e: E): void {
    if (this.#waiting?.type !== e.type) return;
    const w = this.#waiting;
    this.#waiting = undefined;
    w.resolve(e);
  }

  fail(err: Error): void {
    this.#dead ??= err;
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.reject(err);
  }
}

// ---------------------------------------------------------------------------------------------
// The main thread's end: a handle on one load-generator worker (bench:ingest and bench:hub).

type EventOf<T extends WorkerEvent['type']> = Extract<WorkerEvent, { type: T }>;

export class LoadWorker {
  readonly worker: Worker;
  readonly devices: BenchDevice[];
  counters: RunCounters | undefined;
  onLatency: ((latencyUs: Float64Array) => void) | undefined;
  /** bench:rules: the alerts the worker's probes made due since its last report. */
  onTriggers: ((triggers: ProbeTrigger[]) => void) | undefined;
  /** bench:connect: the worker's connections made and attempts retried so far in a storm. */
  connectProgress = { connected: 0, retries: 0 };
  readonly #answers = new AnswerWaiter<WorkerEvent>();

  constructor(devices: BenchDevice[]) {
    this.devices = devices;
    this.worker = new Worker(new URL('./load-worker.ts', import.meta.url));
    this.worker.on('message', (e: WorkerEvent) => this.#onEvent(e));
    this.worker.on('error', (err) => this.#answers.fail(err));
    this.worker.on('exit', (code) => this.#answers.fail(new Error(`load worker exited (code ${code})`)));
  }

  #onEvent(e: WorkerEvent): void {
    if (e.type === 'tick' || e.type === 'done') {
      this.counters = e.counters;
      this.onLatency?.(e.latencyUs);
      if (e.triggers && e.triggers.length > 0) this.onTriggers?.(e.triggers);
    }
    if (e.type === 'connect-progress') {
      this.connectProgress = { connected: e.connected, retries: e.retries };
      return;
    }
    if (e.type === 'error') this.#answers.fail(new Error(`load worker: ${e.error}`));
    else this.#answers.deliver(e);
  }

  /** Sends a command and waits for the worker's answer of the given type. */
  request<T extends WorkerEvent['type']>(cmd: WorkerCommand, answer: T): Promise<EventOf<T>> {
    return this.#answers.expect(answer, () => this.worker.postMessage(cmd));
  }

  abort(): void {
    if (!this.#answers.dead) this.worker.postMessage({ type: 'abort' } satisfies WorkerCommand);
  }

  async terminate(): Promise<void> {
    this.#answers.fail(new Error('terminated'));
    await this.worker.terminate();
  }
}

/** Splits the devices over `count` workers (round-robin) and starts them. */
export function startLoadWorkers(devices: BenchDevice[], count: number): LoadWorker[] {
  const n = Math.min(count, devices.length);
  const workers: LoadWorker[] = [];
  for (let i = 0; i < n; i++) workers.push(new LoadWorker(devices.filter((_, j) => j % n === i)));
  return workers;
}

/** Connects every worker's devices to the broker on 127.0.0.1:port; throws if any fails. */
export async function connectLoadWorkers(
  workers: LoadWorker[],
  port: number,
  keepaliveS: number,
  extra: Pick<
    ConnectCommand,
    'concurrency' | 'track' | 'localAddresses' | 'retryAfterMs' | 'deadlineMs'
  > = {},
): Promise<Extract<WorkerEvent, { type: 'connected'; ok: true }>[]> {
  const answers = await Promise.all(
    workers.map((w) =>
      w.request({ type: 'connect', port, devices: w.devices, keepaliveS, ...extra }, 'connected'),
    ),
  );
  const ok: Extract<WorkerEvent, { type: 'connected'; ok: true }>[] = [];
  for (const a of answers) {
    if (!a.ok) throw new Error(`devices could not connect: ${a.error}`);
    ok.push(a);
  }
  return ok;
}

export async function disconnectLoadWorkers(workers: LoadWorker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.request({ type: 'disconnect' }, 'disconnected')));
}

export function sumCounters(list: (RunCounters | undefined)[]): RunCounters {
  const total = zeroCounters();
  for (const c of list) {
    if (!c) continue;
    for (const k of Object.keys(total) as (keyof RunCounters)[]) total[k] += c[k];
  }
  return total;
}

/** A histogram of PUBACK latencies in µs (1 µs to 1 h, 3 significant digits). */
export function newLatencyHistogram(): RecordableHistogram {
  return createHistogram({ lowest: 1, highest: 3_600_000_000, figures: 3 });
}

/** Records the µs latencies a worker reported. */
export function recordLatencies(h: RecordableHistogram, latencyUs: Float64Array): void {
  for (const us of latencyUs) h.record(Math.min(3_600_000_000, Math.max(1, Math.round(us))));
}

/** A µs histogram as a summary in ms. */
export function summarizeHistogram(h: RecordableHistogram): LatencySummary {
  if (h.count === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  const toMs = (us: number) => us / 1000;
  return {
    count: h.count,
    p50: toMs(h.percentile(50)),
    p90: toMs(h.percentile(90)),
    p99: toMs(h.percentile(99)),
    p999: toMs(h.percentile(99.9)),
    max: toMs(h.max),
    mean: toMs(h.mean),
  };
}

/** Aborts and terminates the load workers, and empties the list (the way out of every bench). */
export async function stopLoadWorkers(workers: LoadWorker[]): Promise<void> {
  for (const w of workers) w.abort();
  await Promise.allSettled(workers.map((w) => w.terminate()));
  workers.length = 0;
}
