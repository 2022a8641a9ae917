// The outbox and its dispatcher against the real database and real receivers on free ports.
// Alerts are written with SQL as the rule engine writes them (the table's owner); the trigger of
// migration 0013 queues what each channel asked for; a dispatcher of the test's own (a movable
// clock, so backoff and windows pass without waiting) sends it. HTTP receivers check every
// signature with docs/notifications.md's own function; an SMTP server (smtp-server) keeps the
// emails. The API's dispatcher is stopped, so only the test's sends.
import { randomUUID } from 'node:crypto';
import { UserDirectory } from '@fleet/api';
import { silentLogger } from '@fleet/shared';
import { DeviceRegistry, inTenant, migrate, openDatabase, type SqlDatabase } from '@fleet/shared/db';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../../../test/api-support.ts';
import { freshPostgresDatabase } from '../../../../test/support.ts';
import { formatTime } from './messages.ts';
import { NotificationChannels } from './repository.ts';
import { createNotifications, type Notifications } from './service.ts';
import {
  documentedVerifier,
  insertAlert,
  MailSink,
  movableClock,
  type Verifier,
  WebhookReceiver,
  waitFor,
} from './test-servers.ts';

const CONSOLE = 'https://console.example';
const TIMEOUT_MS = 3000;

let t: TestApi;
let verify: Verifier;
let sink: MailSink;
let signingKey: Uint8Array;
const clock = movableClock();
let registry: Registry;
let n: Notifications;
const receivers: WebhookReceiver[] = [];
const orgs: string[] = [];

function bundle(db: SqlDatabase, metrics = new Registry()): Notifications {
  return createNotifications({
    db,
    config: { SMTP_URL: sink.url, SMTP_FROM: 'Fleet <fleet@example.test>', CONSOLE_PUBLIC_URL: CONSOLE },
    signingKey,
    metricsRegistry: metrics,
    log: silentLogger(),
    faults: t.platform.faults,
    now: clock.now,
    // The full backoff step, so "29 s later: not yet; 31 s later: again" holds exactly.
    random: () => 0,
    timeoutMs: TIMEOUT_MS,
  });
}

beforeAll(async () => {
  t = await startTestApi();
  await t.api.notifications.dispatcher.stop();
  verify = await documentedVerifier();
  sink = await new MailSink().start();
  signingKey = new TextEncoder().encode(t.platform.config.AUTH_JWT_SECRET ?? '');
  registry = new Registry();
  n = bundle(t.platform.db, registry);
  await n.dispatcher.start();
});
afterEach(async () => {
  // What a test left queued goes nowhere later (its receivers are closed).
  for (const org of orgs.splice(0)) {
    await t.platform.db.query('update notification_channels set enabled = false where org_id = $1', [org]);
    await t.platform.db.query(
      "update notification_outbox set state = 'skipped' where org_id = $1 and state in ('pending', 'sending')",
      [org],
    );
  }
  for (const r of receivers.splice(0)) await r.close();
  clock.reset();
});
afterAll(async () => {
  await n?.close();
  await sink?.close();
  await t?.close();
});

interface Org {
  id: string;
  token: string;
}

/** An organisation of its own per test, with a fleet manager signed in. */
async function freshOrg(timeZone = 'UTC'): Promise<Org> {
  const org = await t.platform.registry.ensureOrganisation(`n-${randomUUID().slice(0, 8)}`, 'Notified', {
    timeZone,
  });
  orgs.push(org.id);
  const email = `manager.${randomUUID().slice(0, 8)}@example.test`;
  await new UserDirectory(t.platform.db).create(org.id, {
    email,
    name: 'Manager',
    role: 'fleet_manager',
    password: TEST_PASSWORD,
  });
  return { id: org.id, token: await t.login(email) };
}

async function receiver(): Promise<WebhookReceiver> {
  const r = await new WebhookReceiver(verify, clock.now).start();
  receivers.push(r);
  return r;
}

/** A channel made through the API; a webhook's receiver gets its secret. */
async function channel(org: Org, body: Record<string, unknown>, r?: WebhookReceiver): Promise<string> {
  const res = await t.request<{ channel: { id: string }; secret: string | null }>(
    'POST',
    '/api/v1/notification-channels',
    {
      token: org.token,
      body: r ? { kind: 'webhook', url: r.url, name: `hook ${randomUUID().slice(0, 6)}`, ...body } : body,
    },
  );
  if (res.status !== 201) throw new Error(`channel: ${res.status} ${res.text}`);
  if (r) r.secret = res.body.secret ?? '';
  return res.body.channel.id;
}

async function outbox(channelId: string) {
  return t.platform.db.query<{
    id: string;
    alert_id: string;
    event: string;
    state: string;
    attempts: number;
    last_status: number | null;
    last_error: string | null;
    delay_s: number;
  }>(
    `select id::text as id, alert_id::text as alert_id, event, state, attempts, last_status, last_error,
       extract(epoch from not_before - created_at)::float8 as delay_s
     from notification_outbox where channel_id = $1 order by id`,
    [channelId],
  );
}

async function deliveries(org: Org, channelId: string) {
  const res = await t.request<{
    items: {
      type: string;
      delivered: boolean;
      statusCode: number | null;
      error: string | null;
      outbox: { id: string; state: string }[];
    }[];
  }>('GET', `/api/v1/notification-channels/${channelId}/deliveries?limit=200`, { token: org.token });
  expect(res.status).toBe(200);
  return res.body.items;
}

async function metric(name: string, labels: string, reg = registry): Promise<number> {
  const text = await reg.getSingleMetricAsString(name);
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('webhooks', () => {
  it('get each alert once, signed as documented, with its record; the log and the metrics count it', async () => {
    const org = await freshOrg();
    const r = await receiver();
    const id = await channel(org, { minSeverity: 'info' }, r);
    const before = await metric(
      'fleet_notification_deliveries_total',
      '{kind="webhook",outcome="delivered"}',
    );
    const alertId = await insertAlert(t.platform.db, { orgId: org.id, severity: 'info', deviceId: 'trk-1' });
    await n.dispatcher.drain();
    expect(r.requests).toHaveLength(1);
    const [req] = r.requests;
    expect(req?.valid).toBe(true);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['x-fleet-id']).toBe(req?.json.id);
    expect(Number(req?.headers['x-fleet-timestamp'])).toBe(
      Math.floor(Date.parse(req?.json.sentAt ?? '') / 1000),
    );
    expect(req?.json).toMatchObject({
      type: 'alert.opened',
      alerts: [
        {
          id: alertId,
          orgId: org.id,
          kind: 'overspeed',
          severity: 'info',
          title: 'Speeding over 90 km/h',
          deviceId: 'trk-1',
          late: false,
          details: { peakKmh: 97, limitKmh: 90 },
        },
      ],
    });
    expect((await outbox(id)).map((o) => [o.state, o.attempts, o.last_status])).toEqual([
      ['delivered', 1, 204],
    ]);
    const log = await deliveries(org, id);
    expect(log.map((d) => [d.type, d.delivered, d.statusCode])).toEqual([['alert.opened', true, 204]]);
    expect(await metric('fleet_notification_deliveries_total', '{kind="webhook",outcome="delivered"}')).toBe(
      before + 1,
    );
    // Drained again: nothing is sent twice.
    await n.dispatcher.drain();
    expect(r.requests).toHaveLength(1);
  });

  it('hear only what the channel asks for: severity, kinds, events, late ones; resolved when resolved', async () => {
    const org = await freshOrg();
    const picky = await receiver();
    const all = await receiver();
    await channel(
      org,
      { kinds: ['overspeed', 'engine_fault'], events: ['opened', 'resolved'], notifyLate: false },
      picky,
    );
    await channel(org, { minSeverity: 'info' }, all);
    const db = t.platform.db;
    const info = await insertAlert(db, { orgId: org.id, severity: 'info' });
    const idling = await insertAlert(db, {
      orgId: org.id,
      kind: 'idling',
      severity: 'warning',
      title: 'Idling',
    });
    const speeding = await insertAlert(db, { orgId: org.id, severity: 'critical' });
    const late = await insertAlert(db, { orgId: org.id, severity: 'critical', late: true });
    // Explained by another alert when it was written: queued for nobody.
    await insertAlert(db, { orgId: org.id, severity: 'critical', suppressedBy: speeding });
    // Acknowledged is no event; resolved is, also when a person (the tenant role) resolves it.
    await inTenant(db, org.id, async (tx) => {
      await tx.query("update alerts set state = 'acknowledged', acknowledged_at = now() where id = $1", [
        speeding,
      ]);
      await tx.query("update alerts set state = 'resolved', resolved_at = now() where id = $1", [speeding]);
      await tx.query("update alerts set state = 'resolved', resolved_at = now() where id = $1", [info]);
    });
    await n.dispatcher.drain();
    expect(picky.requests.map((q) => [q.json.type, q.json.alerts.map((a) => a.id)])).toEqual([
      ['alert.opened', [speeding]],
      ['alert.resolved', [speeding]],
    ]);
    expect(picky.requests.every((q) => q.valid)).toBe(true);
    expect(all.requests.map((q) => q.json.alerts[0]?.id).sort()).toEqual(
      [info, idling, speeding, late].sort(),
    );
    expect(all.requests.every((q) => q.json.type === 'alert.opened')).toBe(true);
    expect(all.requests.find((q) => q.json.alerts[0]?.id === late)?.json.alerts[0]).toMatchObject({
      late: true,
    });
  });

  it('are retried after a 500 when the backoff has passed on the clock, then delivered; every attempt logged', async () => {
    const org = await freshOrg();
    const r = await receiver();
    r.answer = (i) => (i === 0 ? { status: 500 } : { status: 200 });
    const id = await channel(org, {}, r);
    await insertAlert(t.platform.db, { orgId: org.id });
    await n.dispatcher.drain();
    expect(r.requests).toHaveLength(1);
    expect((await outbox(id)).map((o) => [o.state, o.attempts, o.last_status, o.last_error])).toEqual([
      ['pending', 1, 500, 'HTTP 500: answer 500'],
    ]);
    clock.advance(25_000);
    await n.dispatcher.drain();
    expect(r.requests).toHaveLength(1); // 30 s after the first failure, not before
    clock.advance(6_000);
    await n.dispatcher.drain();
    expect(r.requests).toHaveLength(2);
    expect(r.requests.every((q) => q.valid)).toBe(true);
    expect(r.requests[1]?.json.id).not.toBe(r.requests[0]?.json.id);
    expect((await outbox(id)).map((o) => [o.state, o.attempts, o.last_status, o.last_error])).toEqual([
      ['delivered', 2, 200, null],
    ]);
    expect((await deliveries(org, id)).map((d) => [d.delivered, d.statusCode, d.error])).toEqual([
      [true, 200, null],
      [false, 500, 'HTTP 500: answer 500'],
    ]);
  });

  it('to a receiver that hangs time out and are retried, while other channels are delivered', async () => {
    const org = await freshOrg();
    const stuck = await receiver();
    stuck.answer = (i) => (i === 0 ? 'hang' : { status: 200 });
    const fine = await receiver();
    const stuckId = await channel(org, {}, stuck);
    const fineId = await channel(org, {}, fine);
    await insertAlert(t.platform.db, { orgId: org.id });
    const draining = n.dispatcher.drain();
    await waitFor('the working receiver to be delivered to', async () => {
      const rows = await outbox(fineId);
      return rows[0]?.state === 'delivered' && stuck.hanging.length === 1;
    });
    // The hanging one holds only its own notification.
    expect((await outbox(stuckId)).map((o) => o.state)).toEqual(['sending']);
    await draining;
    const [row] = await outbox(stuckId);
    expect(row?.state).toBe('pending');
    expect(row?.last_error).toBe(`no answer within ${TIMEOUT_MS / 1000} s`);
    clock.advance(31_000);
    await n.dispatcher.drain();
    expect((await outbox(stuckId)).map((o) => o.state)).toEqual(['delivered']);
    expect(stuck.requests).toHaveLength(2);
    expect(fine.requests).toHaveLength(1);
  });

  it('to a receiver that closes the connection are retried, then delivered', async () => {
    const org = await freshOrg();
    const r = await receiver();
    r.answer = (i) => (i === 0 ? 'close' : { status: 202 });
    const id = await channel(org, {}, r);
    await insertAlert(t.platform.db, { orgId: org.id });
    await n.dispatcher.drain();
    const [failed] = await outbox(id);
    expect(failed?.state).toBe('pending');
    expect(failed?.last_status).toBeNull();
    expect(failed?.last_error).toMatch(/socket|closed|ECONNRESET/i);
    clock.advance(31_000);
    await n.dispatcher.drain();
    expect((await outbox(id)).map((o) => [o.state, o.last_status])).toEqual([['delivered', 202]]);
  });

  it('are dead after 24 h of failures, counted, and delivered when sent again', async () => {
    const org = await freshOrg();
    const r = await receiver();
    let up = false;
    r.answer = () => ({ status: up ? 200 : 500 });
    const id = await channel(org, {}, r);
    await insertAlert(t.platform.db, { orgId: org.id });
    const dead = await metric('fleet_notification_dead_letters_total', '{kind="webhook"}');
    await n.dispatcher.drain();
    for (let hour = 0; hour < 30 && (await outbox(id))[0]?.state !== 'dead'; hour++) {
      clock.advance(3_600_000);
      await n.dispatcher.drain();
    }
    const [row] = await outbox(id);
    expect(row?.state).toBe('dead');
    // 30 s, 1, 2, 4 ... 32 min, then hourly for the rest of the day.
    expect(row?.attempts).toBeGreaterThanOrEqual(20);
    expect(row?.attempts).toBeLessThanOrEqual(26);
    expect(await metric('fleet_notification_dead_letters_total', '{kind="webhook"}')).toBe(dead + 1);
    const log = await deliveries(org, id);
    expect(log).toHaveLength(row?.attempts ?? 0);
    expect(log.every((d) => !d.delivered && d.statusCode === 500)).toBe(true);
    expect(log[0]?.outbox).toEqual([expect.objectContaining({ id: row?.id, state: 'dead' })]);

    up = true;
    const resent = await t.request('POST', `/api/v1/notification-deliveries/${row?.id}/resend`, {
      token: org.token,
    });
    expect(resent.status).toBe(200);
    await n.dispatcher.drain();
    expect((await outbox(id)).map((o) => [o.state, o.attempts])).toEqual([['delivered', 1]]);
    expect((await deliveries(org, id))[0]).toMatchObject({ delivered: true, statusCode: 200 });
  });
});

describe('grouping', () => {
  it('makes 20 alerts of one kind within the window one webhook call with 20 alerts and one email', async () => {
    const org = await freshOrg();
    const r = await receiver();
    const hook = await channel(org, { groupWindowS: 60 }, r);
    const mail = await channel(org, {
      kind: 'email',
      name: 'Depot managers',
      emailTo: ['ann@example.test', 'bob@example.test'],
      groupWindowS: 60,
    });
    const mailsBefore = sink.mails.length;
    const offline: string[] = [];
    for (let i = 0; i < 20; i++)
      offline.push(
        await insertAlert(t.platform.db, {
          orgId: org.id,
          kind: 'offline',
          title: `No data from trk-${i}`,
          deviceId: `trk-${i}`,
        }),
      );
    const other = await insertAlert(t.platform.db, { orgId: org.id, kind: 'overspeed' });
    expect(await metric('fleet_notification_outbox_pending', '')).toBeGreaterThanOrEqual(42);
    await n.dispatcher.drain();
    expect(r.requests).toHaveLength(0); // the window is open
    clock.advance(61_000);
    await n.dispatcher.drain();
    expect(r.requests).toHaveLength(2);
    const group = r.requests.find((q) => q.json.alerts.length > 1);
    expect(group?.valid).toBe(true);
    expect(group?.json.alerts.map((a) => a.id)).toEqual(offline);
    expect(r.requests.find((q) => q.json.alerts.length === 1)?.json.alerts[0]?.id).toBe(other);
    expect((await outbox(hook)).every((o) => o.state === 'delivered')).toBe(true);
    expect((await deliveries(org, hook)).map((d) => d.outbox.length).sort((a, b) => a - b)).toEqual([1, 20]);

    await waitFor('two emails', () => sink.mails.length >= mailsBefore + 2);
    const emails = sink.mails.slice(mailsBefore);
    expect(emails.map((m) => m.subject).sort()).toEqual([
      '[warning] 20 alerts: No data (offline)',
      '[warning] Speeding over 90 km/h',
    ]);
    const grouped = emails.find((m) => m.subject?.startsWith('[warning] 20'));
    const to = grouped?.to;
    expect((Array.isArray(to) ? to : [to]).flatMap((a) => a?.value.map((v) => v.address))).toEqual([
      'ann@example.test',
      'bob@example.test',
    ]);
    for (const id of offline) expect(grouped?.text).toContain(`${CONSOLE}/alerts/${id}`);
    expect((await outbox(mail)).every((o) => o.state === 'delivered')).toBe(true);
  });
});

describe('email', () => {
  it('has the subject, plain and HTML parts and the link; a late alert says when it happened', async () => {
    const org = await freshOrg('Europe/Helsinki');
    await channel(org, {
      kind: 'email',
      name: 'Night',
      emailTo: ['night@example.test'],
      minSeverity: 'info',
    });
    const asset = await t.platform.db.query<{ id: string }>(
      "insert into assets (org_id, kind, name, plate) values ($1, 'vehicle', 'Van', 'ABC-123') returning id::text as id",
      [org.id],
    );
    const before = sink.mails.length;
    const speeding = await insertAlert(t.platform.db, {
      orgId: org.id,
      severity: 'critical',
      assetId: asset[0]?.id ?? null,
      startedAt: new Date('2026-11-21T12:03:05Z'),
      details: { peakKmh: 112, note: '<script>alert(1)</script>' },
    });
    await n.dispatcher.drain();
    await waitFor('the email', () => sink.mails.length > before);
    const mail = sink.mails[before];
    expect(mail?.subject).toBe('[critical] Speeding over 90 km/h — Van ABC-123');
    expect(mail?.from?.value[0]?.address).toBe('fleet@example.test');
    expect(mail?.headers.get('x-fleet-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(mail?.text).toContain('Started: 2026-11-21 14:03:05 (Europe/Helsinki)');
    expect(mail?.text).toContain(`Open in the console: ${CONSOLE}/alerts/${speeding}`);
    expect(mail?.text).toContain('note: <script>alert(1)</script>');
    expect(mail?.html).toContain(`href="${CONSOLE}/alerts/${speeding}"`);
    expect(mail?.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail?.html).not.toContain('<script>');

    const happened = new Date(Date.now() - 3 * 3_600_000);
    const reported = new Date(Date.now() - 60_000);
    await insertAlert(t.platform.db, {
      orgId: org.id,
      kind: 'crash',
      severity: 'critical',
      title: 'Crash',
      late: true,
      startedAt: happened,
      raisedAt: reported,
    });
    await n.dispatcher.drain();
    await waitFor('the late email', () => sink.mails.length > before + 1);
    const late = sink.mails[before + 1];
    const line = `From buffered records: happened at ${formatTime(happened.toISOString(), 'Europe/Helsinki')}, reported at ${formatTime(reported.toISOString(), 'Europe/Helsinki')}`;
    expect(late?.subject).toBe('[critical] Crash');
    expect(late?.text).toContain(line);
    expect(late?.html).toContain(line);
  });
});

describe('suppression and switched-off channels', () => {
  it('skips a harsh-driving alert that a crash explains within its 15 s wait', async () => {
    const org = await freshOrg();
    const r = await receiver();
    const id = await channel(org, { minSeverity: 'info' }, r);
    const db = t.platform.db;
    const skippedBefore = await metric('fleet_notification_skipped_total', '{reason="suppressed"}');
    const harsh = await insertAlert(db, { orgId: org.id, kind: 'harsh_driving', title: 'Harsh braking' });
    await n.dispatcher.drain();
    expect(r.requests).toHaveLength(0);
    expect((await outbox(id))[0]?.delay_s).toBeGreaterThanOrEqual(15);
    // The crash arrives seconds later and explains it, in one transaction as the engine does.
    const crash = await db.transaction(async (tx) => {
      const crashId = await insertAlert(tx, {
        orgId: org.id,
        kind: 'crash',
        severity: 'critical',
        title: 'Crash',
      });
      await tx.query('update alerts set suppressed_by = $2 where id = $1', [harsh, crashId]);
      return crashId;
    });
    await n.dispatcher.drain();
    expect(r.alertIds()).toEqual([crash]);
    clock.advance(16_000);
    await n.dispatcher.drain();
    expect(r.alertIds()).toEqual([crash]);
    const rows = await outbox(id);
    expect(rows.find((o) => o.alert_id === harsh)).toMatchObject({
      state: 'skipped',
      last_error: 'suppressed: explained by another alert',
    });
    expect(await metric('fleet_notification_skipped_total', '{reason="suppressed"}')).toBe(skippedBefore + 1);
  });

  it('skips what a channel switched off had queued', async () => {
    const org = await freshOrg();
    const r = await receiver();
    const id = await channel(org, { groupWindowS: 30 }, r);
    await insertAlert(t.platform.db, { orgId: org.id });
    const off = await t.request('PATCH', `/api/v1/notification-channels/${id}`, {
      token: org.token,
      body: { enabled: false },
    });
    expect(off.status).toBe(200);
    await insertAlert(t.platform.db, { orgId: org.id }); // not queued at all
    clock.advance(31_000);
    await n.dispatcher.drain();
    expect(r.requests).toHaveLength(0);
    expect((await outbox(id)).map((o) => [o.state, o.last_error])).toEqual([
      ['skipped', 'the channel is switched off'],
    ]);
  });
});

describe('durability', () => {
  it('delivers what was pending when the dispatcher stopped, and what one that died had claimed', async () => {
    const org = await freshOrg();
    const r = await receiver();
    const id = await channel(org, { groupWindowS: 30 }, r);
    const alerts = [];
    for (let i = 0; i < 3; i++)
      alerts.push(await insertAlert(t.platform.db, { orgId: org.id, kind: 'power_cut', title: 'Power cut' }));
    await n.close();
    expect((await outbox(id)).map((o) => o.state)).toEqual(['pending', 'pending', 'pending']);
    // A new process: a new dispatcher over the same database.
    clock.advance(31_000);
    registry = new Registry();
    n = bundle(t.platform.db, registry);
    await n.dispatcher.start();
    await n.dispatcher.drain();
    expect(r.requests).toHaveLength(1);
    expect(r.alertIds()).toEqual(alerts);
    expect((await outbox(id)).every((o) => o.state === 'delivered')).toBe(true);

    // A dispatcher that died while sending left its claim: taken again once the lease lapses.
    // (Claimed in the transaction that queued it, so no live dispatcher sees it pending first.)
    const lost = await t.platform.db.transaction(async (tx) => {
      const alertId = await insertAlert(tx, { orgId: org.id, kind: 'tamper', title: 'Tamper' });
      await tx.query(
        `update notification_outbox set state = 'sending', attempts = 1, next_attempt_at = $2
         where alert_id = $1`,
        [alertId, new Date(clock.now() + 5 * 60_000)],
      );
      return alertId;
    });
    await n.dispatcher.drain();
    expect(r.alertIds()).not.toContain(lost);
    clock.advance(5 * 60_000 + 1000);
    await n.dispatcher.drain();
    expect(r.alertIds()).toContain(lost);
  });
});

describe('on PostgreSQL', () => {
  it('two dispatchers send each notification exactly once, and resolving as the tenant queues', async () => {
    const database = await freshPostgresDatabase();
    const db = await openDatabase({ url: database.url, maxConnections: 8 });
    const one = bundle(db);
    const two = bundle(db);
    try {
      await migrate(db);
      const org = await new DeviceRegistry(db).ensureOrganisation('notify-pg');
      const r = await receiver();
      const { channel: ch, secret } = await new NotificationChannels(db, org.id).create(
        {
          kind: 'webhook',
          name: 'pg hook',
          url: r.url,
          enabled: true,
          minSeverity: 'info',
          kinds: [],
          events: ['opened', 'resolved'],
          notifyLate: true,
          groupWindowS: 0,
        },
        one.cipher,
      );
      r.secret = secret ?? '';
      await Promise.all([one.dispatcher.start(), two.dispatcher.start()]);
      const ids = await Promise.all(Array.from({ length: 40 }, () => insertAlert(db, { orgId: org.id })));
      await Promise.all([one.dispatcher.drain(), two.dispatcher.drain()]);
      await Promise.all([one.dispatcher.drain(), two.dispatcher.drain()]);
      expect(r.alertIds().sort()).toEqual([...ids].sort());
      expect(r.requests.every((q) => q.valid)).toBe(true);
      await inTenant(db, org.id, (tx) =>
        tx.query("update alerts set state = 'resolved', resolved_at = now() where id = $1", [ids[0] ?? '']),
      );
      await Promise.all([one.dispatcher.drain(), two.dispatcher.drain()]);
      expect(r.requests.at(-1)?.json).toMatchObject({ type: 'alert.resolved', alerts: [{ id: ids[0] }] });
      const rows = await db.query<{ state: string; n: string }>(
        'select state, count(*)::text as n from notification_outbox where channel_id = $1 group by state',
        [ch.id],
      );
      expect(rows).toEqual([{ state: 'delivered', n: '41' }]);
    } finally {
      await one.close();
      await two.close();
      await db.close();
      await database.drop();
    }
  });
});
