// The harness side of the 'broker-restart' scenario: at each time of a brokerRestartSchedule it
// stops the broker, keeps it down for downS, and starts it again. What "the broker" is comes from
// the caller (a BrokerService in a test, the platform process in a bench), so the schedule and
// its bookkeeping are tested once. Times are wall-clock ms (device time at time scale 1).
import type { BrokerRestart } from './scenarios.ts';

export interface RestartableBroker {
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface RestartRecord {
  /** Scheduled stop time, wall ms. */
  atMs: number;
  stoppedAtMs: number;
  startedAtMs: number;
}

export interface RestartHarness {
  /** Settles when every restart of the schedule is done (or the harness was cancelled). */
  readonly done: Promise<RestartRecord[]>;
  /** Stops waiting for the next restart; a restart in progress still finishes (broker up again). */
  cancel(): void;
}

export interface HarnessClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: HarnessClock = {
  now: Date.now,
  sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))),
};

export function runBrokerRestarts(
  schedule: readonly BrokerRestart[],
  broker: RestartableBroker,
  clock: HarnessClock = realClock,
): RestartHarness {
  let cancelled = false;
  const done = (async () => {
    const records: RestartRecord[] = [];
    for (const r of [...schedule].sort((a, b) => a.atMs - b.atMs)) {
      await clock.sleep(r.atMs - clock.now());
      if (cancelled) break;
      await broker.stop();
      const stoppedAtMs = clock.now();
      await clock.sleep(r.downS * 1000);
      await broker.start();
      records.push({ atMs: r.atMs, stoppedAtMs, startedAtMs: clock.now() });
    }
    return records;
  })();
  return {
    done,
    cancel() {
      cancelled = true;
    },
  };
}
