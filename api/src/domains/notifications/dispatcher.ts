// The notification dispatcher: sends what the outbox owes (migration 0013 fills it in the
// transaction of each alert change) and records how it went. It wakes on NOTIFY
// fleet_notifications and polls every few seconds besides (a notice can be missed while the
// listening connection is down; a retry falls due with no notice at all).
//
// Failure model:
// - A claim marks rows 'sending' with a lease (next_attempt_at = now + 5 min); a dispatcher that
//   dies mid-send leaves them to be claimed again when the lease lapses, so a notification is
//   sent at least once (receivers dedupe on alert id and type, docs/notifications.md).
// - Claims take `for update skip locked`, so dispatchers in several API processes on one
//   PostgreSQL never claim the same row; PGlite has one connection and one process.
// - Deliveries run concurrently (at most `concurrency`), each bounded by the sender's timeout:
//   a receiver that hangs holds one slot for 10 s, never the others, and nothing here is on the
//   ingest path.
// - A group (one channel, rule kind and event, within the channel's window) goes out as one
//   message when its earliest row is due: every pending row of the group comes along.
// - Before sending, an alert suppressed since it was queued, and a channel switched off, make
//   their rows 'skipped'.
// - After a failure: retry.ts's backoff for 24 h from when the row became due, then 'dead'.
import { type FaultReporter, guardAsync, guardedInterval, type Logger } from '@fleet/shared';
import { ALERT_COLUMNS, ALERT_FROM, type AlertRow, type SqlDatabase, toAlertRecord } from '@fleet/shared/db';
import { assetLabel, type NotifiedAlert } from './messages.ts';
import type { NotificationMetrics } from './metrics.ts';
import { CHANNEL_COLUMNS, type Channel, type ChannelRow, toChannel } from './repository.ts';
import { GIVE_UP_AFTER_MS, retryDelayMs } from './retry.ts';
import type { NotificationSender } from './sender.ts';

export const NOTIFY_CHANNEL = 'fleet_notifications';
export const POLL_MS = 5_000;
export const CONCURRENCY = 4;
/** How long a claimed row is someone's before another dispatcher may take it again. */
export const LEASE_MS = 5 * 60_000;
/** The most alerts one message carries; the rest of a group goes in the next. */
export const MAX_GROUP = 500;
/** Delivered, dead and skipped rows and the delivery log are kept this long. */
export const RETENTION_DAYS = 30;
const PRUNE_EVERY_MS = 3_600_000;

export interface DispatcherDeps {
  db: SqlDatabase;
  sender: NotificationSender;
  metrics: NotificationMetrics;
  consoleUrl: string;
  log: Logger;
  faults: FaultReporter;
  now?: () => number;
  /** Jitter of the backoff, 0..1. */
  random?: () => number;
  /** 0: no polling (NOTIFY and explicit drains only). */
  pollMs?: number;
  concurrency?: number;
}

interface Claimed {
  outboxId: string;
  event: 'opened' | 'resolved';
  alert: NotifiedAlert;
}

interface Batch {
  channel: Channel;
  timeZone: string;
  event: 'opened' | 'resolved';
  rows: Claimed[];
}

type ClaimedRow = AlertRow & {
  outbox_id: string;
  event: 'opened' | 'resolved';
  asset_name: string | null;
  asset_plate: string | null;
};

export class NotificationDispatcher {
  readonly #deps: DispatcherDeps;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #concurrency: number;
  /** Deliveries on their way, by their first outbox id (rows this dispatcher holds). */
  readonly #inFlight = new Map<string, { ids: readonly string[]; done: Promise<void> }>();
  #chain: Promise<unknown> = Promise.resolve();
  #queued: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #stopped = false;
  #lastPrune = 0;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
    this.#concurrency = deps.concurrency ?? CONCURRENCY;
  }

  async start(): Promise<void> {
    const { db, faults } = this.#deps;
    this.#unlisten = await db.listen(NOTIFY_CHANNEL, () => void this.#pump());
    const pollMs = this.#deps.pollMs ?? POLL_MS;
    if (pollMs > 0) {
      this.#timer = guardedInterval(faults, 'notifications.poll', pollMs, () => this.#poll());
      this.#timer.unref();
    }
    guardAsync(faults, 'timer', 'notifications.poll', () => this.#poll())();
  }

  /** Stops claiming; deliveries on their way finish (each within its timeout). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#unlisten?.().catch(() => {});
    await this.#chain.catch(() => {});
    await Promise.all([...this.#inFlight.values()].map((f) => f.done));
  }

  /** Sends everything due now, and waits until nothing is due or on its way (tests, tools). */
  async drain(): Promise<void> {
    await this.#recoverLapsed();
    for (;;) {
      const more = await this.#pump();
      if (this.#inFlight.size > 0) {
        await Promise.race([...this.#inFlight.values()].map((f) => f.done));
        continue;
      }
      if (!more || this.#stopped) return;
    }
  }

  async #poll(): Promise<void> {
    if (this.#stopped) return;
    await this.#recoverLapsed();
    if (this.#now() - this.#lastPrune >= PRUNE_EVERY_MS) await this.#prune();
    await this.#pump();
  }

  /** Claims and starts deliveries until the slots are full or nothing is due; one pass at a time. */
  #pump(): Promise<boolean> {
    if (this.#queued) return this.#queued;
    const run = this.#chain.then(async () => {
      this.#queued = undefined;
      try {
        return await this.#claimAndStart();
      } catch (err) {
        this.#deps.faults.report('timer', 'notifications.dispatch', err);
        return false;
      }
    });
    this.#queued = run;
    this.#chain = run;
    return run;
  }

  /** True when it may have left work undone (it claimed something, or every slot is busy). */
  async #claimAndStart(): Promise<boolean> {
    let claimed = false;
    while (!this.#stopped && this.#inFlight.size < this.#concurrency) {
      const batch = await this.#claim();
      if (batch === undefined) break;
      claimed = true;
      if (batch === 'skipped') continue;
      const key = batch.rows[0]?.outboxId ?? '';
      const done = this.#deliver(batch)
        .catch((err: unknown) => this.#deps.faults.report('timer', 'notifications.deliver', err))
        .finally(() => {
          this.#inFlight.delete(key);
          if (!this.#stopped) void this.#pump();
        });
      this.#inFlight.set(key, { ids: batch.rows.map((r) => r.outboxId), done });
    }
    return claimed || this.#inFlight.size >= this.#concurrency;
  }

  /** The next due group, claimed; 'skipped' when all of it was skipped; undefined: nothing due. */
  async #claim(): Promise<Batch | 'skipped' | undefined> {
    const { db } = this.#deps;
    const now = new Date(this.#now());
    const ids = await db.transaction(async (tx) => {
      const first = await tx.query<{ id: string; group_key: string | null }>(
        `select id::text as id, group_key from notification_outbox
         where state = 'pending' and next_attempt_at <= $1 and not_before <= $1
         order by next_attempt_at, id limit 1 for update skip locked`,
        [now],
      );
      const head = first[0];
      if (!head) return [];
      const ids = [head.id];
      if (head.group_key !== null) {
        const rest = await tx.query<{ id: string }>(
          `select id::text as id from notification_outbox
           where state = 'pending' and group_key = $1 and next_attempt_at <= $2 and id <> $3::bigint
           order by id limit ${MAX_GROUP - 1} for update skip locked`,
          [head.group_key, now, head.id],
        );
        ids.push(...rest.map((r) => r.id));
      }
      await tx.query(
        `update notification_outbox set state = 'sending', attempts = attempts + 1, next_attempt_at = $2
         where id = any($1::bigint[])`,
        [ids, new Date(now.getTime() + LEASE_MS)],
      );
      return ids;
    });
    if (ids.length === 0) return undefined;

    const rows = await db.query<ClaimedRow & { channel_id: string }>(
      `select o.id::text as outbox_id, o.event, o.channel_id::text as channel_id, ${ALERT_COLUMNS},
         s.name as asset_name, s.plate as asset_plate
       from notification_outbox o
       join (${ALERT_FROM}) on a.id = o.alert_id
       left join assets s on s.id = a.asset_id
       where o.id = any($1::bigint[]) order by o.id`,
      [ids],
    );
    const channelId = rows[0]?.channel_id;
    const channelRows =
      channelId === undefined
        ? []
        : await db.query<ChannelRow & { time_zone: string }>(
            `select ${CHANNEL_COLUMNS}, (select time_zone from organisations o where o.id = c.org_id) as time_zone
             from notification_channels c where id = $1`,
            [channelId],
          );
    const channelRow = channelRows[0];
    if (!channelRow) {
      // Removed with its outbox meanwhile: nothing is left to settle.
      return 'skipped';
    }
    const channel = toChannel(channelRow);
    const suppressed = rows.filter((r) => r.suppressed_by !== null);
    const skip = channel.enabled ? suppressed : rows;
    if (skip.length > 0) {
      const reason = channel.enabled ? 'suppressed' : 'channel_disabled';
      await db.query(
        `update notification_outbox set state = 'skipped', last_error = $2 where id = any($1::bigint[])`,
        [
          skip.map((r) => r.outbox_id),
          reason === 'suppressed' ? 'suppressed: explained by another alert' : 'the channel is switched off',
        ],
      );
      this.#deps.metrics.skipped.inc({ reason }, skip.length);
    }
    const send = channel.enabled ? rows.filter((r) => r.suppressed_by === null) : [];
    if (send.length === 0) return 'skipped';
    return {
      channel,
      timeZone: channelRow.time_zone,
      event: send[0]?.event ?? 'opened',
      rows: send.map((r) => ({
        outboxId: r.outbox_id,
        event: r.event,
        alert: { record: toAlertRecord(r), assetLabel: assetLabel(r.asset_name, r.asset_plate) },
      })),
    };
  }

  async #deliver(batch: Batch): Promise<void> {
    const { db, sender, metrics, log } = this.#deps;
    const ids = batch.rows.map((r) => r.outboxId);
    // One alert once, even when a resend and its original travel together.
    const alerts = [...new Map(batch.rows.map((r) => [r.alert.record.id, r.alert])).values()];
    const result = await sender.deliver(
      batch.channel,
      {
        type: batch.event === 'opened' ? 'alert.opened' : 'alert.resolved',
        alerts,
        timeZone: batch.timeZone,
        consoleUrl: this.#deps.consoleUrl,
        channelName: batch.channel.name,
      },
      ids,
    );
    const now = this.#now();
    if (result.delivered) {
      await db.query(
        `update notification_outbox set state = 'delivered', delivered_at = $2, last_status = $3, last_error = null
         where id = any($1::bigint[]) and state = 'sending'`,
        [ids, new Date(now), result.statusCode],
      );
      return;
    }
    const attempts = await db.query<{ attempts: number }>(
      'select coalesce(max(attempts), 1) as attempts from notification_outbox where id = any($1::bigint[])',
      [ids],
    );
    const next = new Date(now + retryDelayMs(Number(attempts[0]?.attempts ?? 1), this.#random));
    const settled = await db.query<{ id: string; state: string }>(
      `update notification_outbox set
         state = case when $2::timestamptz >= not_before + make_interval(secs => $6::float8) then 'dead' else 'pending' end,
         next_attempt_at = $3, last_status = $4, last_error = $5
       where id = any($1::bigint[]) and state = 'sending'
       returning id::text as id, state`,
      [ids, new Date(now), next, result.statusCode, result.error, GIVE_UP_AFTER_MS / 1000],
    );
    const dead = settled.filter((r) => r.state === 'dead').length;
    if (dead > 0) {
      metrics.deadLetters.inc({ kind: batch.channel.kind }, dead);
      log.warn(
        { channelId: batch.channel.id, orgId: batch.channel.orgId, dead, error: result.error },
        'notifications given up after 24 h of failed attempts (dead letters: send again from the delivery log)',
      );
    }
  }

  /** Rows claimed by a dispatcher that died before settling them go back to pending. */
  async #recoverLapsed(): Promise<void> {
    const mine = [...this.#inFlight.values()].flatMap((f) => f.ids);
    await this.#deps.db.query(
      `update notification_outbox set state = 'pending'
       where state = 'sending' and next_attempt_at <= $1 and not (id = any($2::bigint[]))`,
      [new Date(this.#now()), mine],
    );
  }

  async #prune(): Promise<void> {
    const now = this.#now();
    this.#lastPrune = now;
    const before = new Date(now - RETENTION_DAYS * 86_400_000);
    await this.#deps.db.query('delete from notification_deliveries where attempted_at < $1', [before]);
    await this.#deps.db.query(
      `delete from notification_outbox where state in ('delivered', 'dead', 'skipped') and created_at < $1`,
      [before],
    );
  }
}
