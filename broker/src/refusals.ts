// Every refusal of the broker is counted by reason and logged once per (who, reason) in a
// window, so a misbehaving device cannot flood the log. Secrets are never part of a line.
import type { Logger } from '@fleet/shared';
import type { Counter } from 'prom-client';

/** The broker's catalogue of refusal reasons. */
export const REFUSAL_REASONS = [
  'bad_credentials',
  'unknown_device',
  'device_disabled',
  'client_id_mismatch',
  'keepalive_out_of_bounds',
  'connect_rate',
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
  readonly #lastLogged = new Map<string, { at: number; suppressed: number }>();

  constructor(counter: Counter<'reason'>, log: Logger, windowMs = 60_000) {
    this.#counter = counter;
    this.#log = log;
    this.#windowMs = windowMs;
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
    if (this.#lastLogged.size > 10_000) this.#lastLogged.clear();
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
}
