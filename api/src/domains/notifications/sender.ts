// One delivery attempt to one channel, written to the delivery log whatever happens: a webhook
// POST (signed, docs/notifications.md) or an email through nodemailer. Nothing here decides about
// retries (dispatcher.ts does); an attempt only says whether it was delivered and why not.
//
// - Webhook: 2xx is delivered; any other status, a redirect (never followed: the receiver's URL
//   is the one that was configured), a socket error or no answer within the timeout is a failure.
// - Email: one message to all of the channel's addresses. The SMTP server accepting it is
//   delivered (its reply code is the status); no SMTP_URL is a failure that says so.
import { randomUUID } from 'node:crypto';
import type { Logger } from '@fleet/shared';
import type { SqlDatabase } from '@fleet/shared/db';
import { createTransport } from 'nodemailer';
import { emailMessage, type NotificationContent, webhookBody } from './messages.ts';
import type { NotificationMetrics } from './metrics.ts';
import type { Channel } from './repository.ts';
import type { ChannelSecretCipher } from './signing.ts';
import { webhookSignature } from './signing.ts';

export const DELIVERY_TIMEOUT_MS = 10_000;
const ERROR_MAX_LENGTH = 500;
const RESPONSE_SAMPLE_BYTES = 300;

export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  /** Files sent along (a scheduled report); nodemailer's attachment fields. */
  attachments?: { filename: string; content: string | Buffer; contentType: string }[];
}

/** Where emails go out; the SMTP one by default, another in tests or for other transports. */
export interface Mailer {
  /** Resolves with the server's reply code when it accepted the message; rejects otherwise. */
  send(message: MailMessage): Promise<{ statusCode: number | null }>;
  close(): void;
}

/** An SMTP mailer for SMTP_URL (smtp:// upgrades with STARTTLS when offered; smtps:// is TLS). */
export function smtpMailer(url: string, timeoutMs = DELIVERY_TIMEOUT_MS): Mailer {
  const transport = createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    async send(message) {
      const info = await transport.sendMail(message);
      return { statusCode: replyCode(info.response) };
    },
    close() {
      transport.close();
    },
  };
}

function replyCode(response: unknown): number | null {
  const match = typeof response === 'string' ? /^(\d{3})/.exec(response) : null;
  return match ? Number(match[1]) : null;
}

export interface AttemptResult {
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** The x-fleet-id sent: the payload's id and the log's request_id. */
  requestId: string;
}

export interface SenderDeps {
  db: SqlDatabase;
  cipher: ChannelSecretCipher;
  metrics: NotificationMetrics;
  log: Logger;
  smtpFrom: string;
  /** null: email channels cannot send (SMTP_URL is empty). */
  mailer: Mailer | null;
  /** The clock of timestamps and signatures (durations are measured on the real one). */
  now?: () => number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const clip = (text: string) =>
  text.length > ERROR_MAX_LENGTH ? `${text.slice(0, ERROR_MAX_LENGTH - 1)}…` : text;

/** Why a fetch failed, in words for the delivery log. */
function fetchFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = e.cause;
  if (cause?.code && cause.message) return `${cause.code}: ${cause.message}`;
  return cause?.message ?? e.message ?? String(err);
}

async function responseSample(res: Response): Promise<string> {
  try {
    const reader = res.body?.getReader();
    if (!reader) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (size < RESPONSE_SAMPLE_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
    await reader.cancel().catch(() => {});
    return Buffer.concat(chunks)
      .subarray(0, RESPONSE_SAMPLE_BYTES)
      .toString('utf8')
      .replace(/\s+/g, ' ')
      .trim();
  } catch {
    return '';
  }
}

export class NotificationSender {
  readonly #deps: SenderDeps;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(deps: SenderDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#fetch = deps.fetch ?? fetch;
    this.#timeoutMs = deps.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  }

  /** One attempt, logged in notification_deliveries; never throws for the receiver's faults. */
  async deliver(
    channel: Channel,
    content: NotificationContent,
    outboxIds: readonly string[],
  ): Promise<AttemptResult> {
    const requestId = randomUUID();
    const started = performance.now();
    const attemptedAt = new Date(this.#now());
    let outcome: Omit<AttemptResult, 'durationMs' | 'requestId'>;
    try {
      outcome =
        channel.kind === 'webhook'
          ? await this.#webhook(channel, content, requestId, attemptedAt)
          : await this.#email(channel, content, requestId);
    } catch (err) {
      outcome = { delivered: false, statusCode: null, error: clip(`internal: ${(err as Error).message}`) };
      this.#deps.log.error({ err, channelId: channel.id }, 'notification attempt failed unexpectedly');
    }
    const result: AttemptResult = {
      ...outcome,
      error: outcome.error === null ? null : clip(outcome.error),
      durationMs: Math.max(0, Math.round(performance.now() - started)),
      requestId,
    };
    this.#deps.metrics.deliveries.inc({
      kind: channel.kind,
      outcome: result.delivered ? 'delivered' : 'failed',
    });
    // The channel may have been removed meanwhile: then there is no log to write to.
    await this.#deps.db.query(
      `insert into notification_deliveries (org_id, channel_id, type, outbox_ids, attempted_at, status_code, error,
         duration_ms, request_id)
       select $1, $2, $3, $4::bigint[], $5, $6, $7, $8, $9
       where exists (select 1 from notification_channels where id = $2)`,
      [
        channel.orgId,
        channel.id,
        content.type,
        [...outboxIds],
        attemptedAt,
        result.statusCode,
        result.error,
        result.durationMs,
        requestId,
      ],
    );
    return result;
  }

  async #webhook(channel: Channel, content: NotificationContent, requestId: string, at: Date) {
    if (channel.url === null || channel.secretBox === null)
      throw new Error('a webhook channel without URL or secret');
    const secret = this.#deps.cipher.open(channel.secretBox, { orgId: channel.orgId, channelId: channel.id });
    const body = webhookBody(requestId, content, at);
    const timestamp = Math.floor(at.getTime() / 1000);
    let res: Response;
    try {
      res = await this.#fetch(channel.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'fleet-notifications/1',
          'x-fleet-id': requestId,
          'x-fleet-timestamp': String(timestamp),
          'x-fleet-signature': webhookSignature(secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      return { delivered: false, statusCode: null, error: fetchFailure(err, this.#timeoutMs) };
    }
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel().catch(() => {});
      return { delivered: true, statusCode: res.status, error: null };
    }
    const sample = await responseSample(res);
    const redirect = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
    return {
      delivered: false,
      statusCode: res.status,
      error: `HTTP ${res.status}${redirect}${sample ? `: ${sample}` : ''}`,
    };
  }

  async #email(channel: Channel, content: NotificationContent, requestId: string) {
    const mailer = this.#deps.mailer;
    if (mailer === null)
      return {
        delivered: false,
        statusCode: null,
        error: 'email is not configured: set SMTP_URL (and SMTP_FROM) for the API',
      };
    const message = emailMessage(content);
    try {
      const { statusCode } = await mailer.send({
        from: this.#deps.smtpFrom,
        to: channel.emailTo ?? [],
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { 'X-Fleet-Id': requestId },
      });
      return { delivered: true, statusCode, error: null };
    } catch (err) {
      const e = err as { responseCode?: number; message?: string; code?: string };
      return {
        delivered: false,
        statusCode: typeof e.responseCode === 'number' ? e.responseCode : null,
        error: `${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`,
      };
    }
  }
}
