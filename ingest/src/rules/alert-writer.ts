// The engine's signals into the domain database: an alert raised once per episode (the
// episode key is unique, so a replay after a restart finds the alert it raised before), its
// figures updated while it lasts, and resolved when its condition clears. Suppression where
// one cause explains another: a power cut suppresses the offline alert it causes, a crash the
// harsh-driving alerts of the same seconds (either order of arrival). Each change is written to
// the alert's timeline and published on the bus after its transaction commits.
import type { AlertChange, AlertChangeKind, AlertRecord } from '@fleet/shared';
import { ALERT_COLUMNS, ALERT_FROM, type AlertRow, type SqlExecutor, toAlertRecord } from '@fleet/shared/db';
import type { AlertDetails, AlertSignal } from './types.ts';

type OpenSignal = Extract<AlertSignal, { type: 'open' }>;

const ORG_EPISODE = 'a.org_id = $1::uuid and a.episode_key = $2';

async function selectAlert(tx: SqlExecutor, where: string, params: (string | number | null)[]) {
  const rows = await tx.query<AlertRow>(`select ${ALERT_COLUMNS} from ${ALERT_FROM} where ${where}`, params);
  return rows[0] ? toAlertRecord(rows[0]) : undefined;
}

async function activity(tx: SqlExecutor, alert: AlertRecord, action: string, note: string | null = null) {
  await tx.query('insert into alert_activity (org_id, alert_id, action, note) values ($1, $2, $3, $4)', [
    alert.orgId,
    alert.id,
    action,
    note,
  ]);
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Writes signals in one transaction; returns the changes to publish once it has committed. */
export async function writeSignals(tx: SqlExecutor, signals: readonly AlertSignal[]): Promise<AlertChange[]> {
  const changes: AlertChange[] = [];
  const changed = (change: AlertChangeKind, alert: AlertRecord | undefined) => {
    if (alert) changes.push({ change, alert });
  };
  for (const signal of signals) {
    if (signal.type === 'open') changed('opened', await open(tx, signal, changes));
    else if (signal.type === 'update')
      changed('updated', await update(tx, signal.orgId, signal.episodeKey, signal.details));
    else {
      const alert = await selectAlert(tx, ORG_EPISODE, [signal.orgId, signal.episodeKey]);
      if (!alert?.active) continue;
      const resolved = alert.state !== 'resolved';
      await tx.query(
        `update alerts set active = false, ended_at = greatest(started_at, to_timestamp($3::float8 / 1000)),
           details = details || $4::jsonb, updated_at = now(),
           state = 'resolved', resolved_at = coalesce(resolved_at, now())
         where org_id = $1::uuid and episode_key = $2`,
        [signal.orgId, signal.episodeKey, signal.endedAt, JSON.stringify(signal.details)],
      );
      await activity(tx, alert, 'condition_cleared');
      if (resolved) await activity(tx, alert, 'resolved', 'the condition cleared');
      changed('resolved', await selectAlert(tx, 'a.id = $1::uuid', [alert.id]));
    }
  }
  return changes;
}

async function update(tx: SqlExecutor, orgId: string, episodeKey: string, details: AlertDetails) {
  const rows = await tx.query<{ id: string }>(
    `update alerts set details = details || $3::jsonb, updated_at = now()
      where org_id = $1::uuid and episode_key = $2 and active returning id::text as id`,
    [orgId, episodeKey, JSON.stringify(details)],
  );
  return rows[0] ? selectAlert(tx, 'a.id = $1::uuid', [rows[0].id]) : undefined;
}

async function open(
  tx: SqlExecutor,
  s: OpenSignal,
  changes: AlertChange[],
): Promise<AlertRecord | undefined> {
  const orgId = s.rule.orgId;
  const position = s.position;
  const inserted = await tx.query<{ id: string }>(
    `insert into alerts (org_id, rule_id, kind, severity, title, device_id, asset_id, place_id, episode_key,
        active, started_at, late, lat, lon, details)
     values ($1::uuid, $2::uuid, $3, $4, $5, $6, $7::uuid, $8::uuid, $9, $10, to_timestamp($11::float8 / 1000),
        $12, $13, $14, $15::jsonb)
     on conflict (org_id, episode_key) do nothing
     returning id::text as id`,
    [
      orgId,
      s.rule.id,
      s.rule.kind,
      s.severity,
      clip(s.title, 300),
      s.deviceId,
      s.asset.id,
      s.placeId ?? null,
      s.episodeKey,
      s.active,
      s.startedAt,
      s.late,
      position?.lat ?? null,
      position?.lon ?? null,
      JSON.stringify(s.details),
    ],
  );
  const id = inserted[0]?.id;
  if (id === undefined) return undefined; // raised before (a replay): nothing new
  let alert = (await selectAlert(tx, 'a.id = $1::uuid', [id])) as AlertRecord;
  await activity(tx, alert, 'opened', s.late ? 'raised from buffered records that arrived late' : null);
  alert = await suppress(tx, s, alert, changes);
  return alert;
}

/** Links cause and effect: the effect is kept (and shown on request) but not notified. */
async function suppress(tx: SqlExecutor, s: OpenSignal, alert: AlertRecord, changes: AlertChange[]) {
  const markSuppressed = async (target: AlertRecord, by: AlertRecord, note: string) => {
    await tx.query('update alerts set suppressed_by = $2::uuid, updated_at = now() where id = $1::uuid', [
      target.id,
      by.id,
    ]);
    await activity(tx, target, 'suppressed', note);
    return (await selectAlert(tx, 'a.id = $1::uuid', [target.id])) as AlertRecord;
  };
  if (s.rule.kind === 'offline' && s.details.cause === 'power_cut') {
    const cut = await selectAlert(
      tx,
      `a.org_id = $1::uuid and a.device_id = $2 and a.kind = 'power_cut' and a.id <> $3::uuid
         and (a.active or a.ended_at >= to_timestamp($4::float8 / 1000) - interval '10 minutes')
       order by a.started_at desc limit 1`,
      [alert.orgId, s.deviceId, alert.id, s.startedAt],
    );
    if (cut) return markSuppressed(alert, cut, 'explained by the external power cut before it');
  }
  if (s.rule.kind === 'crash') {
    const windowS = Number((s.rule.params as { suppressHarshWithinS?: number }).suppressHarshWithinS ?? 10);
    const harsh = await suppressedCandidates(tx, alert, s, windowS);
    for (const h of harsh)
      changes.push({ change: 'updated', alert: await markSuppressed(h, alert, 'part of a crash') });
  }
  if (s.rule.kind === 'harsh_driving') {
    const crash = await selectAlert(
      tx,
      `a.org_id = $1::uuid and a.device_id = $2 and a.kind = 'crash'
         and abs(extract(epoch from a.started_at) * 1000 - $3::float8) <=
             coalesce((select (r.params->>'suppressHarshWithinS')::float8 from rules r where r.id = a.rule_id), 10) * 1000
       order by a.started_at desc limit 1`,
      [alert.orgId, s.deviceId, s.startedAt],
    );
    if (crash) return markSuppressed(alert, crash, 'part of a crash');
  }
  return alert;
}

async function suppressedCandidates(tx: SqlExecutor, crash: AlertRecord, s: OpenSignal, windowS: number) {
  const rows = await tx.query<AlertRow>(
    `select ${ALERT_COLUMNS} from ${ALERT_FROM}
      where a.org_id = $1::uuid and a.device_id = $2 and a.kind = 'harsh_driving' and a.suppressed_by is null
        and abs(extract(epoch from a.started_at) * 1000 - $3::float8) <= $4::float8 * 1000`,
    [crash.orgId, s.deviceId, s.startedAt, windowS],
  );
  return rows.map(toAlertRecord);
}
