// Notification channels of one organisation, their delivery log and "send again", in PostgreSQL
// (migration 0013). Every statement runs under row-level security for that organisation
// (inTenant), so another organisation's channel or outbox row is not found whatever id is asked.
import { randomUUID } from 'node:crypto';
import type { RuleKind } from '@fleet/shared';
import { type SqlExecutor, type SqlParam, TenantRepository } from '@fleet/shared/db';
import { ApiError } from '../../http/errors.ts';
import type { ChannelChanges, ChannelEvent, ChannelKind, NewChannel } from './schemas.ts';
import { type ChannelSecretCipher, newWebhookSecret } from './signing.ts';

export interface Channel {
  id: string;
  orgId: string;
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  url: string | null;
  emailTo: string[] | null;
  minSeverity: 'info' | 'warning' | 'critical';
  kinds: RuleKind[];
  events: ChannelEvent[];
  notifyLate: boolean;
  groupWindowS: number;
  createdAt: Date;
  updatedAt: Date;
  /** The sealed webhook secret (signing.ts); never in an answer. */
  secretBox: Uint8Array | null;
}

export interface ChannelRow {
  id: string;
  org_id: string;
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  url: string | null;
  email_to: string[] | null;
  min_severity: Channel['minSeverity'];
  kinds: string[];
  events: string[];
  notify_late: boolean;
  group_window_s: number;
  created_at: Date | string;
  updated_at: Date | string;
  secret_ciphertext: Uint8Array | null;
}

export const CHANNEL_COLUMNS = `id::text as id, org_id::text as org_id, name, kind, enabled, url, email_to,
  min_severity, kinds, events, notify_late, group_window_s, created_at, updated_at, secret_ciphertext`;

export function toChannel(row: ChannelRow): Channel {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    kind: row.kind,
    enabled: row.enabled,
    url: row.url,
    emailTo: row.email_to,
    minSeverity: row.min_severity,
    kinds: row.kinds as RuleKind[],
    events: row.events as ChannelEvent[],
    notifyLate: row.notify_late,
    groupWindowS: Number(row.group_window_s),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    secretBox: row.secret_ciphertext === null ? null : new Uint8Array(row.secret_ciphertext),
  };
}

export interface OutboxEntry {
  id: string;
  alertId: string;
  event: ChannelEvent;
  state: 'pending' | 'sending' | 'delivered' | 'dead' | 'skipped';
  attempts: number;
  nextAttemptAt: Date | null;
}

export interface Delivery {
  id: string;
  type: 'alert.opened' | 'alert.resolved' | 'test';
  attemptedAt: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  requestId: string;
  outbox: OutboxEntry[];
}

interface DeliveryRow {
  id: string;
  type: Delivery['type'];
  attempted_at: Date | string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  request_id: string;
  outbox: OutboxJson[] | string | null;
}

interface OutboxJson {
  id: string | number;
  alert_id: string;
  event: ChannelEvent;
  state: OutboxEntry['state'];
  attempts: number;
  next_attempt_at: string | Date | null;
}

function toOutboxEntry(o: OutboxJson): OutboxEntry {
  return {
    id: String(o.id),
    alertId: o.alert_id,
    event: o.event,
    state: o.state,
    attempts: Number(o.attempts),
    nextAttemptAt: o.state === 'pending' && o.next_attempt_at !== null ? new Date(o.next_attempt_at) : null,
  };
}

function conflictOnName(err: unknown, name: string | undefined): unknown {
  if ((err as { code?: string }).code === '23505')
    return new ApiError(
      'conflict',
      `A channel named "${name}" already exists (names are unique in any case).`,
    );
  return err;
}

/** A field that does not belong to the stored channel's kind, named as the body names it. */
function wrongKind(field: 'url' | 'emailTo', kind: ChannelKind): ApiError {
  const message =
    field === 'url' ? 'only webhook channels have a URL' : 'only email channels have email addresses';
  return new ApiError('validation_failed', `Invalid body: ${message} (this channel is ${kind})`, {
    details: [{ path: `body.${field}`, message }],
  });
}

export class NotificationChannels extends TenantRepository {
  async list(): Promise<Channel[]> {
    const rows = await this.tx((tx) =>
      tx.query<ChannelRow>(`select ${CHANNEL_COLUMNS} from notification_channels order by lower(name), id`),
    );
    return rows.map(toChannel);
  }

  /** The organisation's time zone, in which notifications show times. */
  async timeZone(): Promise<string> {
    const rows = await this.tx((tx) =>
      tx.query<{ time_zone: string }>('select time_zone from organisations where id = $1', [this.orgId]),
    );
    return rows[0]?.time_zone ?? 'UTC';
  }

  async get(id: string): Promise<Channel | undefined> {
    const rows = await this.tx((tx) => selectChannel(tx, id));
    return rows[0] ? toChannel(rows[0]) : undefined;
  }

  /** The channel and, for a webhook, its new signing secret (shown once). */
  async create(
    input: NewChannel,
    cipher: ChannelSecretCipher,
  ): Promise<{ channel: Channel; secret: string | null }> {
    const id = randomUUID();
    const secret = input.kind === 'webhook' ? newWebhookSecret() : null;
    const box = secret === null ? null : cipher.seal(secret, { orgId: this.orgId, channelId: id });
    try {
      const rows = await this.tx((tx) =>
        tx.query<ChannelRow>(
          `insert into notification_channels (id, org_id, name, kind, enabled, url, secret_ciphertext, email_to,
             min_severity, kinds, events, notify_late, group_window_s)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning ${CHANNEL_COLUMNS}`,
          [
            id,
            this.orgId,
            input.name,
            input.kind,
            input.enabled,
            input.kind === 'webhook' ? input.url : null,
            box,
            input.kind === 'email' ? input.emailTo : null,
            input.minSeverity,
            input.kinds,
            input.events,
            input.notifyLate,
            input.groupWindowS,
          ],
        ),
      );
      return { channel: toChannel(rows[0] as ChannelRow), secret };
    } catch (err) {
      throw conflictOnName(err, input.name);
    }
  }

  /** Undefined when there is no such channel (in this organisation). */
  async update(id: string, changes: ChannelChanges): Promise<Channel | undefined> {
    try {
      return await this.tx(async (tx) => {
        const current = (await selectChannel(tx, id, true))[0];
        if (!current) return undefined;
        if (changes.url !== undefined && current.kind !== 'webhook') throw wrongKind('url', current.kind);
        if (changes.emailTo !== undefined && current.kind !== 'email')
          throw wrongKind('emailTo', current.kind);
        const set = ['updated_at = now()'];
        const params: SqlParam[] = [id];
        const param = (value: SqlParam) => {
          params.push(value);
          return `$${params.length}`;
        };
        if (changes.name !== undefined) set.push(`name = ${param(changes.name)}`);
        if (changes.enabled !== undefined) set.push(`enabled = ${param(changes.enabled)}`);
        if (changes.url !== undefined) set.push(`url = ${param(changes.url)}`);
        if (changes.emailTo !== undefined) set.push(`email_to = ${param(changes.emailTo)}::text[]`);
        if (changes.minSeverity !== undefined) set.push(`min_severity = ${param(changes.minSeverity)}`);
        if (changes.kinds !== undefined) set.push(`kinds = ${param(changes.kinds)}::text[]`);
        if (changes.events !== undefined) set.push(`events = ${param(changes.events)}::text[]`);
        if (changes.notifyLate !== undefined) set.push(`notify_late = ${param(changes.notifyLate)}`);
        if (changes.groupWindowS !== undefined) set.push(`group_window_s = ${param(changes.groupWindowS)}`);
        const rows = await tx.query<ChannelRow>(
          `update notification_channels set ${set.join(', ')} where id = $1 returning ${CHANNEL_COLUMNS}`,
          params,
        );
        return rows[0] ? toChannel(rows[0]) : undefined;
      });
    } catch (err) {
      throw conflictOnName(err, changes.name);
    }
  }

  /** Removes the channel with its outbox and log; false when there is no such channel. */
  async remove(id: string): Promise<boolean> {
    const rows = await this.tx((tx) =>
      tx.query<{ id: string }>('delete from notification_channels where id = $1 returning id::text as id', [
        id,
      ]),
    );
    return rows.length > 0;
  }

  /**
   * A new signing secret for a webhook channel (the old one stops signing at once); undefined
   * when there is no such channel, a conflict for an email channel.
   */
  async rotateSecret(
    id: string,
    cipher: ChannelSecretCipher,
  ): Promise<{ channel: Channel; secret: string } | undefined> {
    return this.tx(async (tx) => {
      const current = (await selectChannel(tx, id, true))[0];
      if (!current) return undefined;
      if (current.kind !== 'webhook')
        throw new ApiError('conflict', 'Only webhook channels have a signing secret.');
      const secret = newWebhookSecret();
      const rows = await tx.query<ChannelRow>(
        `update notification_channels set secret_ciphertext = $2, updated_at = now() where id = $1
         returning ${CHANNEL_COLUMNS}`,
        [id, cipher.seal(secret, { orgId: this.orgId, channelId: id })],
      );
      return { channel: toChannel(rows[0] as ChannelRow), secret };
    });
  }

  /** The channel's delivery attempts, newest first, each with the outbox rows it carried. */
  async deliveries(
    channelId: string,
    page: { before?: string | undefined; limit: number },
  ): Promise<{ items: Delivery[]; nextCursor: string | null }> {
    const params: SqlParam[] = [channelId];
    let before = '';
    if (page.before !== undefined) {
      params.push(page.before);
      before = 'and d.id < $2::bigint';
    }
    const rows = await this.tx((tx) =>
      tx.query<DeliveryRow>(
        `select d.id::text as id, d.type, d.attempted_at, d.status_code, d.error, d.duration_ms, d.request_id,
           (select json_agg(json_build_object('id', o.id::text, 'alert_id', o.alert_id, 'event', o.event,
                'state', o.state, 'attempts', o.attempts, 'next_attempt_at', o.next_attempt_at) order by o.id)
              from notification_outbox o where o.id = any(d.outbox_ids)) as outbox
         from notification_deliveries d
         where d.channel_id = $1 ${before}
         order by d.id desc limit ${Math.trunc(page.limit) + 1}`,
        params,
      ),
    );
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit).map((row): Delivery => {
      const outbox = (typeof row.outbox === 'string' ? JSON.parse(row.outbox) : row.outbox) as
        | OutboxJson[]
        | null;
      return {
        id: row.id,
        type: row.type,
        attemptedAt: new Date(row.attempted_at),
        statusCode: row.status_code === null ? null : Number(row.status_code),
        error: row.error,
        durationMs: Number(row.duration_ms),
        requestId: row.request_id,
        outbox: (outbox ?? []).map(toOutboxEntry),
      };
    });
    return { items, nextCursor: more ? (items.at(-1)?.id ?? null) : null };
  }

  /**
   * "Send again": a delivered or dead outbox row back to pending, due now, with 24 h of retries
   * of its own. Undefined when there is no such row; a conflict while it is still on its way or
   * was skipped (a suppressed alert is not sent, again or at all).
   */
  async resend(outboxId: string): Promise<OutboxEntry | undefined> {
    return this.tx(async (tx) => {
      const rows = await tx.query<OutboxJson>(
        `update notification_outbox set state = 'pending', attempts = 0, not_before = now(), next_attempt_at = now()
         where id = $1::bigint and state in ('delivered', 'dead')
         returning id::text as id, alert_id::text as alert_id, event, state, attempts, next_attempt_at`,
        [outboxId],
      );
      const row = rows[0];
      if (row) {
        await tx.query("select pg_notify('fleet_notifications', $1)", [this.orgId]);
        return toOutboxEntry(row);
      }
      const existing = await tx.query<{ state: string }>(
        'select state from notification_outbox where id = $1::bigint',
        [outboxId],
      );
      const state = existing[0]?.state;
      if (state === undefined) return undefined;
      throw new ApiError(
        'conflict',
        state === 'skipped'
          ? 'This notification was skipped (its alert is explained by another, or the channel was off): it is not sent.'
          : `This notification is ${state}: it is on its way already.`,
      );
    });
  }
}

function selectChannel(tx: SqlExecutor, id: string, forUpdate = false) {
  return tx.query<ChannelRow>(
    `select ${CHANNEL_COLUMNS} from notification_channels where id = $1${forUpdate ? ' for update' : ''}`,
    [id],
  );
}
