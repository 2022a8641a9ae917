// Alerts per asset: the alerts that started in a range of the organisation's calendar, counted by
// PostgreSQL per asset (by severity, by rule kind, still open, mean time to resolve), most alerts
// first. Row-level security keeps them to the caller's organisation and, for a department-scoped
// user, to the assets of their subtree (the alerts policy, migration 0012). Alerts on no asset
// (a device not installed anywhere) and suppressed ones (explained by another alert: the crash
// behind a harsh-braking alert) are not counted.
import { inTenant, type SqlDatabase, type SqlParam } from '@fleet/shared/db';
import { localDayStart, nextDay } from '@fleet/shared/time-zone';
import type { z } from 'zod';
import { assetFilters, organisationZone } from './repository.ts';
import type { alertsReportSchema } from './schemas.ts';

type AlertsReport = z.input<typeof alertsReportSchema>;
export type AlertsReportRow = AlertsReport['rows'][number];

interface Row {
  id: string;
  kind: 'vehicle' | 'equipment';
  name: string;
  plate: string | null;
  category: string | null;
  department_id: string | null;
  department_name: string | null;
  total: number;
  critical: number;
  warning: number;
  info: number;
  open: number;
  mttr_s: number | string | null;
  by_kind: Record<string, number> | string;
}

export async function readAlertsReport(
  db: SqlDatabase,
  orgId: string,
  q: {
    from: string;
    to: string;
    kind?: 'vehicle' | 'equipment' | undefined;
    departmentId?: string | undefined;
  },
): Promise<Omit<AlertsReport, 'from' | 'to'> | { unknown: 'departmentId' }> {
  return inTenant(db, orgId, async (tx) => {
    const timeZone = await organisationZone(tx, orgId);
    const args: SqlParam[] = [
      new Date(localDayStart(q.from, timeZone)).toISOString(),
      new Date(localDayStart(nextDay(q.to), timeZone)).toISOString(),
    ];
    const where = await assetFilters(tx, q, 's', args);
    if (!where) return { unknown: 'departmentId' } as const;
    const rows = await tx.query<Row>(
      `with counted as (
         select al.asset_id, al.kind, al.severity, al.state, al.started_at, al.resolved_at
         from alerts al
         where al.started_at >= $1::timestamptz and al.started_at < $2::timestamptz
           and al.asset_id is not null and al.suppressed_by is null
       ),
       kinds as (
         select asset_id, jsonb_object_agg(kind, n) as by_kind
         from (select asset_id, kind, count(*)::int as n from counted group by asset_id, kind) k
         group by asset_id
       )
       select s.id::text as id, s.kind, s.name, s.plate, s.category, s.department_id::text as department_id,
         d.name as department_name,
         count(*)::int as total,
         (count(*) filter (where c.severity = 'critical'))::int as critical,
         (count(*) filter (where c.severity = 'warning'))::int as warning,
         (count(*) filter (where c.severity = 'info'))::int as info,
         (count(*) filter (where c.state <> 'resolved'))::int as open,
         avg(extract(epoch from c.resolved_at - c.started_at)) filter (where c.state = 'resolved') as mttr_s,
         k.by_kind
       from counted c
       join assets s on s.id = c.asset_id
       left join departments d on d.id = s.department_id
       join kinds k on k.asset_id = c.asset_id
       ${where.length ? `where ${where.join(' and ')}` : ''}
       group by s.id, d.name, k.by_kind
       order by total desc, lower(s.name), s.id`,
      args,
    );
    const out: AlertsReportRow[] = rows.map((r) => ({
      asset: {
        id: r.id,
        kind: r.kind,
        name: r.name,
        plate: r.plate,
        category: r.category,
        departmentId: r.department_id,
        departmentName: r.department_name,
      },
      total: r.total,
      bySeverity: { critical: r.critical, warning: r.warning, info: r.info },
      byKind: typeof r.by_kind === 'string' ? (JSON.parse(r.by_kind) as Record<string, number>) : r.by_kind,
      open: r.open,
      meanTimeToResolveS: r.mttr_s === null ? null : Math.round(Number(r.mttr_s)),
    }));
    const sum = (pick: (r: AlertsReportRow) => number) => out.reduce((s, r) => s + pick(r), 0);
    return {
      timeZone,
      rows: out,
      totals: {
        total: sum((r) => r.total),
        bySeverity: {
          critical: sum((r) => r.bySeverity.critical),
          warning: sum((r) => r.bySeverity.warning),
          info: sum((r) => r.bySeverity.info),
        },
        open: sum((r) => r.open),
      },
    };
  });
}
