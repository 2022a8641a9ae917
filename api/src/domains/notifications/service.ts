// The notifications of one API process, built from plain dependencies: the cipher of webhook
// secrets, the sender (one attempt, logged) that the routes' test sends share with the
// dispatcher, and the dispatcher itself. The app builds one and starts it after it listens; tests
// build their own with a clock and a fetch of their choosing.
import type { FaultReporter, FleetConfig, Logger } from '@fleet/shared';
import type { SqlDatabase } from '@fleet/shared/db';
import type { Registry } from 'prom-client';
import { NotificationDispatcher } from './dispatcher.ts';
import { createNotificationMetrics, type NotificationMetrics } from './metrics.ts';
import { type Mailer, NotificationSender, smtpMailer } from './sender.ts';
import { type ChannelSecretCipher, channelSecretCipher } from './signing.ts';

export interface NotificationsDeps {
  db: SqlDatabase;
  config: Pick<FleetConfig, 'SMTP_URL' | 'SMTP_FROM' | 'CONSOLE_PUBLIC_URL'>;
  /** The API's signing key, which the secrets' key is derived from (it is not in the database). */
  signingKey: Uint8Array;
  metricsRegistry: Registry;
  log: Logger;
  faults: FaultReporter;
  now?: () => number;
  fetch?: typeof fetch;
  /** Default: SMTP to SMTP_URL, or none when it is empty. */
  mailer?: Mailer | null;
  timeoutMs?: number;
  random?: () => number;
  pollMs?: number;
  concurrency?: number;
}

export interface Notifications {
  cipher: ChannelSecretCipher;
  sender: NotificationSender;
  dispatcher: NotificationDispatcher;
  metrics: NotificationMetrics;
  consoleUrl: string;
  /** The mail transport and sender address, shared with the report schedules; null: no SMTP_URL. */
  mailer: Mailer | null;
  smtpFrom: string;
  /** Stops the dispatcher and closes the mail transport. */
  close(): Promise<void>;
}

export function createNotifications(deps: NotificationsDeps): Notifications {
  const cipher = channelSecretCipher(deps.signingKey);
  const metrics = createNotificationMetrics(deps.metricsRegistry, deps.db);
  const mailer =
    deps.mailer !== undefined
      ? deps.mailer
      : deps.config.SMTP_URL === ''
        ? null
        : smtpMailer(deps.config.SMTP_URL, deps.timeoutMs);
  const log = deps.log.child({ component: 'notifications' });
  const sender = new NotificationSender({
    db: deps.db,
    cipher,
    metrics,
    log,
    smtpFrom: deps.config.SMTP_FROM,
    mailer,
    ...(deps.now === undefined ? {} : { now: deps.now }),
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }),
  });
  const dispatcher = new NotificationDispatcher({
    db: deps.db,
    sender,
    metrics,
    consoleUrl: deps.config.CONSOLE_PUBLIC_URL,
    log,
    faults: deps.faults,
    ...(deps.now === undefined ? {} : { now: deps.now }),
    ...(deps.random === undefined ? {} : { random: deps.random }),
    ...(deps.pollMs === undefined ? {} : { pollMs: deps.pollMs }),
    ...(deps.concurrency === undefined ? {} : { concurrency: deps.concurrency }),
  });
  return {
    cipher,
    sender,
    dispatcher,
    metrics,
    consoleUrl: deps.config.CONSOLE_PUBLIC_URL,
    mailer,
    smtpFrom: deps.config.SMTP_FROM,
    async close() {
      await dispatcher.stop();
      mailer?.close();
    },
  };
}
