// The safety net of every entry point. Code that an outsider can reach (an HTTP or WebSocket
// handler, an aedes hook, a bus subscriber, a timer) runs inside `guard`/`guardAsync`, so an
// unexpected throw or rejection becomes that boundary's own error (a 500, an MQTT disconnect,
// a dropped event) and never a dead process. Each fault is counted by boundary in /metrics
// and logged with its stack; a site that keeps failing is logged once per interval, not once
// per packet, so a flood of one bug cannot flood the log as well.
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

/** Where untrusted work enters the process. */
export const BOUNDARIES = [
  'http',
  'websocket',
  'mqtt',
  'ingest',
  'rules',
  'maintenance',
  'jobs',
  'bus',
  'timer',
  'process',
] as const;
export type Boundary = (typeof BOUNDARIES)[number];

export interface FaultReporter {
  /** Counts and logs an unexpected error at a boundary. Never throws. */
  report(boundary: Boundary, site: string, err: unknown, context?: Record<string, unknown>): void;
}

export interface FaultReporterOptions {
  log: Logger;
  /** Registry of the process's /metrics; the counter is registered once per registry. */
  registry?: Registry;
  /** A repeating fault at one site is logged at most once per this many ms (with a count). */
  logEveryMs?: number;
  now?: () => number;
}

const counters = new WeakMap<Registry, Counter<'boundary' | 'site'>>();

function faultCounter(registry: Registry): Counter<'boundary' | 'site'> {
  let counter = counters.get(registry);
  if (!counter) {
    counter = new Counter({
      name: 'fleet_unexpected_errors_total',
      help: 'Unexpected errors caught at an entry point (a bug or an unforeseen input), by boundary and site',
      labelNames: ['boundary', 'site'],
      registers: [registry],
    });
    counters.set(registry, counter);
  }
  return counter;
}

export function createFaultReporter(options: FaultReporterOptions): FaultReporter {
  const { log } = options;
  const now = options.now ?? Date.now;
  const logEveryMs = options.logEveryMs ?? 60_000;
  const counter = options.registry ? faultCounter(options.registry) : undefined;
  // site -> when it was last logged and how many faults since then
  const lastLogged = new Map<string, { at: number; suppressed: number }>();
  return {
    report(boundary, site, err, context) {
      try {
        counter?.inc({ boundary, site });
        const key = `${boundary}:${site}`;
        const seen = lastLogged.get(key);
        const at = now();
        if (seen && at - seen.at < logEveryMs) {
          seen.suppressed++;
          return;
        }
        if (lastLogged.size > 1000) lastLogged.clear(); // sites are code locations; bounded anyway
        lastLogged.set(key, { at, suppressed: 0 });
        log.error(
          { err, boundary, site, ...context, ...(seen?.suppressed ? { suppressed: seen.suppressed } : {}) },
          'unexpected error at a boundary; the process serves on',
        );
      } catch {
        // A reporter that throws would defeat the point; nothing more can be done here.
      }
    },
  };
}

/** A reporter that only counts in memory, for tests and tools. */
export function countingFaultReporter(): FaultReporter & { faults: { boundary: Boundary; site: string }[] } {
  const faults: { boundary: Boundary; site: string }[] = [];
  return {
    faults,
    report(boundary, site) {
      faults.push({ boundary, site });
    },
  };
}

/** Reports a fault and runs the boundary's own answer to it, which may fail too (reported). */
function fail<A extends unknown[]>(
  reporter: FaultReporter,
  boundary: Boundary,
  site: string,
  err: unknown,
  args: A,
  onFault: ((err: unknown, ...args: A) => void) | undefined,
): void {
  reporter.report(boundary, site, err);
  if (!onFault) return;
  try {
    onFault(err, ...args);
  } catch (again) {
    reporter.report(boundary, `${site}.onFault`, again);
  }
}

/**
 * Wraps a synchronous callback: a throw is reported and `onFault` (the boundary's own error
 * answer) runs instead; the wrapper itself never throws.
 */
export function guard<A extends unknown[]>(
  reporter: FaultReporter,
  boundary: Boundary,
  site: string,
  fn: (...args: A) => void,
  onFault?: (err: unknown, ...args: A) => void,
): (...args: A) => void {
  return (...args: A): void => {
    try {
      fn(...args);
    } catch (err) {
      fail(reporter, boundary, site, err, args, onFault);
    }
  };
}

/**
 * Runs async work whose rejection nobody else awaits (a fire-and-forget handler): a rejection
 * or a synchronous throw is reported and `onFault` runs. Returns nothing to await on purpose.
 */
export function guardAsync<A extends unknown[]>(
  reporter: FaultReporter,
  boundary: Boundary,
  site: string,
  fn: (...args: A) => Promise<unknown> | unknown,
  onFault?: (err: unknown, ...args: A) => void,
): (...args: A) => void {
  return (...args: A): void => {
    try {
      const result = fn(...args);
      if (result instanceof Promise)
        result.catch((err: unknown) => fail(reporter, boundary, site, err, args, onFault));
    } catch (err) {
      fail(reporter, boundary, site, err, args, onFault);
    }
  };
}

/** setInterval whose callback cannot take the process down. */
export function guardedInterval(
  reporter: FaultReporter,
  site: string,
  ms: number,
  fn: () => Promise<unknown> | unknown,
): NodeJS.Timeout {
  return setInterval(guardAsync(reporter, 'timer', site, fn), ms);
}

/** setTimeout whose callback cannot take the process down. */
export function guardedTimeout(
  reporter: FaultReporter,
  site: string,
  ms: number,
  fn: () => Promise<unknown> | unknown,
): NodeJS.Timeout {
  return setTimeout(guardAsync(reporter, 'timer', site, fn), ms);
}

let processNetInstalled = false;

/**
 * The last resort of a service process: an unhandled rejection or an exception that escaped
 * every guard is counted and logged, and the process serves on. Every boundary already
 * catches its own throws, so what reaches here is a bug in a callback that no guard covers
 * (an event emitter, a library's timer); it leaves that one piece of work undone, not the
 * fleet offline. Installed once per process.
 */
export function installProcessSafetyNet(reporter: FaultReporter): void {
  if (processNetInstalled) return;
  processNetInstalled = true;
  process.on('unhandledRejection', (reason) => reporter.report('process', 'unhandledRejection', reason));
  process.on('uncaughtException', (err) => reporter.report('process', 'uncaughtException', err));
}
