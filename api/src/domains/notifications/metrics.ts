// The notifications' own metrics, in the API's registry: every delivery attempt by channel kind
// and outcome, dead letters, skipped notifications, and how many wait in the outbox (read from
// the database when /metrics is scraped, so it counts what every dispatcher left).
import type { SqlDatabase } from '@fleet/shared/db';
import { Counter, Gauge, type Registry } from 'prom-client';

export interface NotificationMetrics {
  /** outcome: delivered, failed (to be retried or dead). */
  deliveries: Counter<'kind' | 'outcome'>;
  deadLetters: Counter<'kind'>;
  /** reason: suppressed, channel_disabled. */
  skipped: Counter<'reason'>;
}

export function createNotificationMetrics(registry: Registry, db: SqlDatabase): NotificationMetrics {
  new Gauge({
    name: 'fleet_notification_outbox_pending',
    help: 'Notifications waiting in the outbox (their window, a retry, or a free sender)',
    registers: [registry],
    async collect() {
      try {
        const rows = await db.query<{ n: string | number }>(
          "select count(*) as n from notification_outbox where state in ('pending', 'sending')",
        );
        this.set(Number(rows[0]?.n ?? 0));
      } catch {
        // The database is down: /metrics still answers, with the last value.
      }
    },
  });
  return {
    deliveries: new Counter({
      name: 'fleet_notification_deliveries_total',
      help: 'Notification delivery attempts, by channel kind (webhook, email) and outcome (delivered, failed)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'fleet_notification_dead_letters_total',
      help: 'Notifications given up after 24 hours of failed attempts, by channel kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'fleet_notification_skipped_total',
      help: 'Notifications not sent, by reason (suppressed: explained by another alert; channel_disabled)',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
