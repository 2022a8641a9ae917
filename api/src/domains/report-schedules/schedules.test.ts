// Report schedules end to end: kept through the API (validated, audited, per organisation, for
// admins and fleet managers, a department-scoped manager's own only), and mailed by the scheduler
// to a real SMTP server (smtp-server) as an attachment whose rows are read back: the period of the
// run, claimed once by two schedulers, retried a minute later when the mail server is away and
// recorded after the last try, and sent by hand from its route.
import { randomUUID } from 'node:crypto';
import { QuestDbTransport } from '@fleet/ingest';
import { silentLogger } from '@fleet/shared';
import { QuestDbHttp } from '@fleet/shared/questdb';
import { localDay, localTimeOn } from '@fleet/shared/time-zone';
import { weekdayOf } from '@fleet/shared/working-time';
import type { ParsedMail } from 'mailparser';
import { readSheet } from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../../../test/api-support.ts';
import { smtpMailer } from '../notifications/sender.ts';
import { MailSink } from '../notifications/test-servers.ts';
import { XLSX_TYPE } from '../reports/export.ts';
import { periodOf } from './cadence.ts';
import { MAX_ATTEMPTS, RETRY_AFTER_MS, ReportScheduler } from './scheduler.ts';

let t: TestApi;
let sink: MailSink;
const run = randomUUID().slice(0, 6);
const admin = () => t.orgA.users.admin.token;
const manager = () => t.orgA.users.fleet_manager.token;
let timeZone = 'UTC';
let scoped = '';
const ids: Record<string, string> = {};

interface Schedule {
  id: string;
  name: string;
  report: string;
  params: { by?: string; kind?: string; departmentId?: string };
  cadence: 'weekly' | 'monthly';
  format: 'csv' | 'xlsx';
  recipients: string[];
  enabled: boolean;
  nextRunAt: string;
  lastRunAt: string | null;
  lastError: string | null;
  createdBy: { id: string; name: string } | null;
  scopeDepartmentId: string | null;
}
interface ErrorReply {
  error: { code: string; details?: { path: string; message: string }[] };
}

async function ok<T>(method: string, path: string, token: string, body?: unknown, status = 200): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 600)}`).toBe(status);
  return res.body;
}
const create = (body: Record<string, unknown>, token = manager()) =>
  ok<Schedule>(
    'POST',
    '/api/v1/report-schedules',
    token,
    { name: `Weekly ${run}`, recipients: ['boss@example.test'], ...body },
    201,
  );

/** A scheduler of the test's own: its clock and mail transport, no timer. */
function scheduler(options: { now?: () => number; smtpUrl?: string } = {}) {
  return new ReportScheduler({
    db: t.platform.db,
    questdb: new QuestDbHttp(inject('questdbUrl')),
    mailer: smtpMailer(options.smtpUrl ?? sink.url, 2000),
    smtpFrom: 'fleet@example.test',
    consoleUrl: 'http://console.test',
    log: silentLogger(),
    faults: t.platform.faults,
    tickMs: 0,
    ...(options.now ? { now: options.now } : {}),
  });
}

/** Makes a schedule due by `now` (default: a minute ago), its run the one scheduled at `scheduledAt`. */
async function due(id: string, scheduledAt: number, now = Date.now()) {
  await t.platform.db.query(
    'update report_schedules set next_run_at = $2, attempt_at = $3, attempts = 0 where id = $1',
    [id, new Date(scheduledAt), new Date(now - 60_000)],
  );
}
const plusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
/** This week's Monday 06:00: the run that reports last week. */
const thisWeeksRun = () =>
  localTimeOn(plusDays(periodOf('weekly', Date.now(), timeZone).to, 1), 6 * 60, timeZone);
const mailsTo = (address: string) =>
  sink.mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes(address)));
const attachment = (mail: ParsedMail | undefined) => {
  const [file] = mail?.attachments ?? [];
  expect(file, 'an attachment').toBeDefined();
  return file as NonNullable<typeof file>;
};

beforeAll(async () => {
  sink = await new MailSink().start();
  t = await startTestApi({ SMTP_URL: sink.url, SMTP_FROM: 'fleet@example.test' });
  // The tests drive schedulers of their own; the API's would take due schedules at its tick.
  await t.api.reportScheduler.stop();
  const me = await ok<{ organisation: { timeZone: string } }>('GET', '/api/v1/me', admin());
  timeZone = me.organisation.timeZone;
  ids.lighting = (
    await ok<{ id: string }>(
      'POST',
      '/api/v1/departments',
      admin(),
      { name: `Lighting ${run}`, parentId: null },
      201,
    )
  ).id;
  // Two vans, one in Lighting, each with a trip in last week.
  const last = periodOf('weekly', Date.now(), timeZone);
  const transport = new QuestDbTransport(inject('questdbUrl'));
  for (const [name, departmentId, km] of [
    [`Lit van ${run}`, ids.lighting, 40],
    [`Other van ${run}`, null, 70],
  ] as const) {
    const van = await ok<{ id: string }>('POST', '/api/v1/vehicles', admin(), { name, departmentId }, 201);
    const device = await t.orgA.provision('vehicle');
    const installedAt = localTimeOn(last.from, 0, timeZone) - 86_400_000;
    await ok(
      'POST',
      `/api/v1/assets/${van.id}/installations`,
      admin(),
      { deviceId: device.id, installedAt: new Date(installedAt).toISOString() },
      201,
    );
    const startTs = localTimeOn(last.from, 10 * 60, timeZone);
    await transport.send([
      {
        table: 'trips',
        segment: {
          tenant: t.orgA.id,
          deviceId: device.id,
          segment: {
            kind: 'trip',
            startTs,
            endTs: startTs + 3_600_000,
            start: { lat: 60.1, lon: 24.9 },
            end: { lat: 60.2, lon: 24.9 },
            distanceM: km * 1000,
            durationS: 3600,
            maxSpeedKmh: 90,
            avgSpeedKmh: km,
            idleS: 0,
            points: 100,
            jumps: 0,
          },
          open: false,
          deleted: false,
          writtenAt: Date.now(),
          afterHoursS: 0,
        },
      },
    ]);
  }
  const email = `scoped.${run}@example.test`;
  await ok(
    'POST',
    '/api/v1/users',
    admin(),
    {
      email,
      name: `Scoped ${run}`,
      role: 'fleet_manager',
      password: TEST_PASSWORD,
      departmentId: ids.lighting,
      departmentScope: true,
    },
    201,
  );
  scoped = await t.login(email);
  const range = `from=${last.from}&to=${last.to}`;
  for (let i = 0; ; i++) {
    const summary = await ok<{ totals: { trips: number } }>(
      'GET',
      `/api/v1/reports/summary?${range}`,
      admin(),
    );
    if (summary.totals.trips >= 2) break;
    if (i > 150) throw new Error('the trips written never read back');
    await new Promise((r) => setTimeout(r, 100));
  }
});
afterAll(async () => {
  await t?.close();
  await sink?.close();
});

describe('keeping schedules', () => {
  it('creates one whose first run is the next Monday 06:00 of the organisation, changes and removes it', async () => {
    const created = await create({
      report: 'utilisation',
      params: { by: 'asset' },
      cadence: 'weekly',
      format: 'xlsx',
    });
    expect(created).toMatchObject({
      report: 'utilisation',
      params: { by: 'asset' },
      enabled: true,
      lastRunAt: null,
      lastError: null,
      createdBy: { id: t.orgA.users.fleet_manager.id },
      scopeDepartmentId: null,
    });
    const next = Date.parse(created.nextRunAt);
    expect(next).toBeGreaterThan(Date.now());
    expect(next - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    expect(weekdayOf(localDay(next, timeZone))).toBe('mon');
    expect(localTimeOn(localDay(next, timeZone), 6 * 60, timeZone)).toBe(next);

    const monthly = await ok<Schedule>('PATCH', `/api/v1/report-schedules/${created.id}`, admin(), {
      cadence: 'monthly',
    });
    expect(localDay(Date.parse(monthly.nextRunAt), timeZone).endsWith('-01')).toBe(true);
    const list = await ok<{ items: Schedule[] }>('GET', '/api/v1/report-schedules', manager());
    expect(list.items.map((s) => s.id)).toContain(created.id);
    const [audit] = await t.platform.db.query<{ action: string }>(
      "select action from audit_log where entity = 'report_schedule' and entity_id = $1 order by id limit 1",
      [created.id],
    );
    expect(audit?.action).toBe('create');
    await ok('DELETE', `/api/v1/report-schedules/${created.id}`, manager());
    expect(
      (await t.request('GET', `/api/v1/report-schedules/${created.id}`, { token: manager() })).status,
    ).toBe(404);
  });

  it('refuses bad schedules with a 400 naming the field', async () => {
    const base = { name: 'x', report: 'summary', cadence: 'weekly', recipients: ['a@example.test'] };
    for (const [body, field] of [
      [{ ...base, report: 'costs' }, 'body.report'],
      [{ ...base, cadence: 'daily' }, 'body.cadence'],
      [{ ...base, format: 'pdf' }, 'body.format'],
      [{ ...base, recipients: [] }, 'body.recipients'],
      [
        { ...base, recipients: Array.from({ length: 21 }, (_, i) => `p${i}@example.test`) },
        'body.recipients',
      ],
      [{ ...base, recipients: ['not an address'] }, 'body.recipients.0'],
      [{ ...base, name: '' }, 'body.name'],
      [{ ...base, params: { by: 'place' } }, 'body.params.by'],
      [{ ...base, report: 'alerts', params: { by: 'asset' } }, 'body.params.by'],
      [{ ...base, params: { departmentId: 'x' } }, 'body.params.departmentId'],
      [{ ...base, params: { colour: 'red' } }, 'body.params'],
    ] as const) {
      const res = await t.request<ErrorReply>('POST', '/api/v1/report-schedules', { token: manager(), body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details?.[0]?.path, JSON.stringify(body)).toBe(field);
    }
    const s = await create({ report: 'visits', params: { by: 'place' }, cadence: 'monthly' });
    const patch = await t.request<ErrorReply>('PATCH', `/api/v1/report-schedules/${s.id}`, {
      token: manager(),
      body: { report: 'summary' },
    });
    expect(patch.status).toBe(400);
    expect(patch.body.error.details?.[0]?.path).toBe('body.params.by');
    const nothing = await t.request<ErrorReply>('PATCH', `/api/v1/report-schedules/${s.id}`, {
      token: manager(),
      body: {},
    });
    expect(nothing.status).toBe(400);
  });

  it('are for admins and fleet managers, within their organisation and their scope', async () => {
    const s = await create({ report: 'summary', cadence: 'weekly' }, admin());
    for (const role of ['viewer', 'dispatcher', 'mechanic'] as const) {
      const res = await t.request('GET', '/api/v1/report-schedules', { token: t.orgA.users[role].token });
      expect(res.status, role).toBe(403);
    }
    const other = t.orgB.users.admin.token;
    for (const [method, path] of [
      ['GET', `/api/v1/report-schedules/${s.id}`],
      ['PATCH', `/api/v1/report-schedules/${s.id}`],
      ['DELETE', `/api/v1/report-schedules/${s.id}`],
      ['POST', `/api/v1/report-schedules/${s.id}/send`],
    ] as const) {
      const res = await t.request(method, path, {
        token: other,
        ...(method === 'PATCH' ? { body: { name: 'mine' } } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await ok<{ items: Schedule[] }>('GET', '/api/v1/report-schedules', other)).items).toEqual([]);
    // A scoped manager's schedule reports their department; the organisation-wide one is not theirs.
    const mine = await create({ report: 'summary', cadence: 'weekly', name: `Scoped ${run}` }, scoped);
    expect(mine.scopeDepartmentId).toBe(ids.lighting);
    const seen = await ok<{ items: Schedule[] }>('GET', '/api/v1/report-schedules', scoped);
    expect(seen.items.map((x) => x.id)).toEqual([mine.id]);
    expect((await t.request('GET', `/api/v1/report-schedules/${s.id}`, { token: scoped })).status).toBe(404);
    await ok('DELETE', `/api/v1/report-schedules/${s.id}`, admin());
    await ok('DELETE', `/api/v1/report-schedules/${mine.id}`, admin());
  });
});

describe('the scheduler', () => {
  it('mails a due report once, for the period of its run, with the rows in the attachment, and moves on', async () => {
    const to = `weekly.${run}@example.test`;
    const s = await create({
      report: 'summary',
      params: { kind: 'vehicle' },
      cadence: 'weekly',
      format: 'xlsx',
      recipients: [to],
    });
    const scheduledAt = thisWeeksRun();
    await due(s.id, scheduledAt);
    // Two API processes: both look at once, one of them takes it.
    const a = scheduler();
    const b = scheduler();
    const [ranA, ranB] = await Promise.all([a.runDue(), b.runDue()]);
    expect(ranA + ranB).toBeGreaterThanOrEqual(1);
    await expect.poll(() => mailsTo(to).length, { timeout: 5000 }).toBe(1);
    await a.runDue();
    await b.runDue();
    expect(mailsTo(to)).toHaveLength(1);
    const mail = mailsTo(to)[0];
    const period = periodOf('weekly', scheduledAt, timeZone);
    expect(mail?.subject).toBe(`Weekly ${run}: Fleet summary, ${period.from} to ${period.to}`);
    const file = attachment(mail);
    expect(file.filename).toBe(`summary-${period.from}-${period.to}.xlsx`);
    expect(file.contentType).toBe(XLSX_TYPE);
    const rows = await readSheet(file.content);
    expect(rows[0]?.slice(0, 7)).toEqual([
      'Asset',
      'Kind',
      'Plate',
      'Category',
      'Department',
      'Trips',
      'Distance (km)',
    ]);
    expect(rows.filter((r) => String(r[0]).includes(run)).map((r) => [r[0], r[5], r[6]])).toEqual([
      [`Lit van ${run}`, 1, 40],
      [`Other van ${run}`, 1, 70],
    ]);
    const after = await ok<Schedule>('GET', `/api/v1/report-schedules/${s.id}`, manager());
    expect(after.lastError).toBeNull();
    expect(after.lastRunAt).not.toBeNull();
    // The next Monday after this run.
    expect(Date.parse(after.nextRunAt)).toBeGreaterThan(Math.max(Date.now(), scheduledAt));
    expect(weekdayOf(localDay(Date.parse(after.nextRunAt), timeZone))).toBe('mon');
  });

  it('reports what its scoped creator sees, as CSV', async () => {
    const to = `scoped.${run}@example.test`;
    const s = await create({ report: 'summary', cadence: 'weekly', format: 'csv', recipients: [to] }, scoped);
    await due(s.id, thisWeeksRun());
    await scheduler().runDue();
    const csv = attachment(mailsTo(to)[0]).content.toString('utf8');
    expect(csv).toContain(`Lit van ${run}`);
    expect(csv).not.toContain(`Other van ${run}`);
  });

  it('tries a failed send again a minute later, then records the failure and goes on to the next run', async () => {
    let nowMs = Date.now();
    const clock = {
      now: () => nowMs,
      advance(ms: number) {
        nowMs += ms;
      },
    };
    const s = await create({
      report: 'alerts',
      cadence: 'monthly',
      recipients: [`retry.${run}@example.test`],
    });
    await due(s.id, nowMs - 60_000, nowMs);
    const away = scheduler({ now: clock.now, smtpUrl: 'smtp://127.0.0.1:9' });
    const state = () =>
      t.platform.db
        .query<{
          attempts: number;
          attempt_at: Date;
          next_run_at: Date;
          last_run_at: Date | null;
          last_error: string | null;
        }>(
          'select attempts, attempt_at, next_run_at, last_run_at, last_error from report_schedules where id = $1',
          [s.id],
        )
        .then((r) => r[0]);
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      expect(await away.runDue()).toBe(1);
      const now = await state();
      expect(now?.attempts).toBe(attempt);
      expect(now?.last_error).toMatch(/ECONNREFUSED|ESOCKET|connect/);
      expect(now?.last_run_at).toBeNull();
      expect(new Date(now?.attempt_at ?? 0).getTime()).toBe(clock.now() + RETRY_AFTER_MS);
      // Not before its minute is up.
      expect(await away.runDue()).toBe(0);
      clock.advance(RETRY_AFTER_MS);
    }
    expect(await away.runDue()).toBe(1);
    const recorded = await ok<Schedule>('GET', `/api/v1/report-schedules/${s.id}`, manager());
    expect(recorded.lastError).toMatch(/ECONNREFUSED|ESOCKET|connect/);
    expect(recorded.lastRunAt).not.toBeNull();
    expect(Date.parse(recorded.nextRunAt)).toBeGreaterThan(clock.now());
    expect(localDay(Date.parse(recorded.nextRunAt), timeZone).endsWith('-01')).toBe(true);
    expect((await state())?.attempts).toBe(0);
    expect(mailsTo(`retry.${run}@example.test`)).toEqual([]);
  });

  it('skips schedules that are switched off', async () => {
    const to = `off.${run}@example.test`;
    const s = await create({ report: 'summary', cadence: 'weekly', recipients: [to], enabled: false });
    await due(s.id, Date.now() - 60_000);
    expect(await scheduler().runDue()).toBe(0);
    expect(mailsTo(to)).toEqual([]);
  });
});

describe('send now', () => {
  it('mails the last complete period and says how it went; the next run stays', async () => {
    const to = `now.${run}@example.test`;
    const s = await create({
      report: 'utilisation',
      params: { by: 'department' },
      cadence: 'weekly',
      format: 'csv',
      recipients: [to],
    });
    const res = await ok<{
      delivered: boolean;
      error: string | null;
      from: string;
      to: string;
      filename: string;
      schedule: Schedule;
    }>('POST', `/api/v1/report-schedules/${s.id}/send`, manager());
    const period = periodOf('weekly', Date.now(), timeZone);
    expect(res).toMatchObject({ delivered: true, error: null, from: period.from, to: period.to });
    expect(res.filename).toBe(`utilisation-department-${period.from}-${period.to}.csv`);
    expect(res.schedule.lastRunAt).not.toBeNull();
    expect(res.schedule.nextRunAt).toBe(s.nextRunAt);
    const csv = attachment(mailsTo(to)[0])
      .content.toString('utf8')
      .replace(/^\uFEFF/, '');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('department,assets,in_use_h,working_h,utilisation,idle_assets');
    expect(lines.find((l) => l.startsWith(`Lighting ${run},`))).toMatch(new RegExp(`^Lighting ${run},1,1,`));
  });
});
