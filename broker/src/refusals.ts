// Every refusal of the broker is counted by reason and logged once per (who, reason) in a
// window, so a misbehaving device cannot flood the log. A flood of refusals from ever new
// "who"s (made-up client ids, many addresses) is aggregated instead: past a few distinct lines
// per reason in a window, one line says the rest are only counted, and the first line of the
// next window says how many there were. Secrets are never part of a line.
import type { Logger } from '@fleet/shared';
import type { Counter } from 'prom-client';

/** The broker's catalogue of refusal reasons. */
export const REFUSAL_REASONS = [
  'bad_credentials',
  'unknown_device',
  'device_disabled',
  'organisation_suspended',
  'client_id_mismatch',
  'keepalive_out_of_bounds',
  'connect_rate',
  'auth_failure_rate',
  'registry_unavailable',
  'ingest_backpressure',
  'packet_too_large',
  'message_rate',
  'client_stuck',
  'topic_empty',
  'topic_too_long',
  'topic_wildcard',
  'topic_sys',
  'topic_other_device',
  'topic_not_allowed',
  'subscribe_denied',
  'qos2_not_supported',
  'ingest_failed',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export class RefusalLog {
  readonly #counter: Counter<'reason'>;
  readonly #log: Logger;
  readonly #windowMs: number;
  readonly #maxLinesPerReason: number;
  readonly #lastLogged = new Map<string, { at: number; suppressed: number }>();
  /** Per reason: the current window, the lines logged in it, and the refusals left unlogged. */
  readonly #windows = new Map<RefusalReason, { start: number; lines: number; unlogged: number }>();

  constructor(counter: Counter<'reason'>, log: Logger, windowMs = 60_000, maxLinesPerReason = 20) {
    this.#counter = counter;
    this.#log = log;
    this.#windowMs = windowMs;
    this.#maxLinesPerReason = maxLinesPerReason;
    for (const reason of REFUSAL_REASONS) counter.inc({ reason }, 0);
  }

  refuse(
    reason: RefusalReason,
    who: { deviceId?: string | null; address?: string | undefined },
    detail?: string,
  ): void {
    this.#counter.inc({ reason });
    const key = `${reason}|${who.deviceId ?? who.address ?? '?'}`;
    const now = Date.now();
    const seen = this.#lastLogged.get(key);
    if (seen && now - seen.at < this.#windowMs) {
      seen.suppressed++;
      return;
    }
    const window = this.#window(reason, now);
    if (window.lines >= this.#maxLinesPerReason) {
      if (window.unlogged++ === 0) {
        this.#log.warn(
          { reason, linesLogged: window.lines, windowMs: this.#windowMs },
          `refused: ${reason}, from more clients than are logged one by one; the rest of this window is counted in fleet_mqtt_refusals_total`,
        );
      }
      return;
    }
    window.lines++;
    if (this.#lastLogged.size >= 10_000) this.#forgetOld(now);
    this.#lastLogged.set(key, { at: now, suppressed: 0 });
    this.#log.warn(
      {
        reason,
        deviceId: who.deviceId ?? undefined,
        address: who.address,
        detail,
        suppressedBefore: seen?.suppressed,
      },
      `refused: ${reason}`,
    );
  }

  /** The reason's window, starting a new one (and saying what the old one left out) when due. */
  #window(reason: RefusalReason, now: number): { start: number; lines: number; unlogged: number } {
    let window = this.#windows.get(reason);
    if (window && now - window.start < this.#windowMs) return window;
    if (window && window.unlogged > 0) {
      this.#log.warn(
        { reason, unlogged: window.unlogged, windowMs: this.#windowMs },
        `refused: ${reason}, ${window.unlogged} more in the last window than were logged`,
      );
    }
    window = { start: now, lines: 0, unlogged: 0 };
    this.#windows.set(reason, window);
    return window;
  }

  #forgetOld(now: number): void {
    for (const [key, seen] of this.#lastLogged)
      if (now - seen.at >= this.#windowMs) this.#lastLogged.delete(key);
    if (this.#lastLogged.size >= 10_000) this.#lastLogged.clear();
  }
}
