// How an alert row (migration 0012) is read, for the two writers of alerts: the rule engine in
// the ingest tier (raising, updating and auto-resolving them) and the API (people acknowledging,
// resolving, assigning). Both select ALERT_COLUMNS joined to the rule's name and turn a row into
// the AlertRecord that the bus, the hub and the API's responses carry.
import type { AlertRecord, AlertSeverity, AlertState, RuleKind } from '../rules.ts';

/** Select list over `alerts a left join rules r on r.id = a.rule_id`. */
export const ALERT_COLUMNS = `a.id::text as id, a.org_id::text as org_id, a.rule_id::text as rule_id, r.name as rule_name,
  a.kind, a.severity, a.state, a.active, a.title, a.device_id, a.asset_id::text as asset_id,
  a.place_id::text as place_id, a.started_at, a.ended_at, a.raised_at, a.late, a.lat, a.lon, a.details,
  a.suppressed_by::text as suppressed_by, a.acknowledged_at, a.acknowledged_by::text as acknowledged_by,
  a.resolved_at, a.resolved_by::text as resolved_by, a.assignee_id::text as assignee_id, a.updated_at`;

export const ALERT_FROM = 'alerts a left join rules r on r.id = a.rule_id';

export interface AlertRow {
  id: string;
  org_id: string;
  rule_id: string | null;
  rule_name: string | null;
  kind: string;
  severity: string;
  state: string;
  active: boolean;
  title: string;
  device_id: string | null;
  asset_id: string | null;
  place_id: string | null;
  started_at: Date | string;
  ended_at: Date | string | null;
  raised_at: Date | string;
  late: boolean;
  lat: number | null;
  lon: number | null;
  details: AlertRecord['details'] | string;
  suppressed_by: string | null;
  acknowledged_at: Date | string | null;
  acknowledged_by: string | null;
  resolved_at: Date | string | null;
  resolved_by: string | null;
  assignee_id: string | null;
  updated_at: Date | string;
}

const iso = (value: Date | string) => new Date(value).toISOString();
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value));

export function toAlertRecord(row: AlertRow): AlertRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    kind: row.kind as RuleKind,
    severity: row.severity as AlertSeverity,
    state: row.state as AlertState,
    active: row.active,
    title: row.title,
    deviceId: row.device_id,
    assetId: row.asset_id,
    placeId: row.place_id,
    startedAt: iso(row.started_at),
    endedAt: isoOrNull(row.ended_at),
    raisedAt: iso(row.raised_at),
    late: row.late,
    lat: row.lat === null ? null : Number(row.lat),
    lon: row.lon === null ? null : Number(row.lon),
    details: typeof row.details === 'string' ? JSON.parse(row.details) : row.details,
    suppressedBy: row.suppressed_by,
    acknowledgedAt: isoOrNull(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: isoOrNull(row.resolved_at),
    resolvedBy: row.resolved_by,
    assigneeId: row.assignee_id,
    updatedAt: iso(row.updated_at),
  };
}
