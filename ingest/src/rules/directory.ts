// The rule engine's view of the domain database: per organisation its enabled rules, places,
// the asset each device is installed on, the department tree, time zone and working hours.
// Loaded for every organisation on start and reloaded for one organisation when it changes:
// migration 0012 sends NOTIFY fleet_rule_context with the organisation's id from every table
// the rules read, whichever process or tool made the change (API, CLI, CSV import).
import {
  DEFAULT_WORKING_HOURS,
  type Logger,
  parseRuleParams,
  RULE_KINDS,
  type RuleDefinition,
  type RuleKind,
  ruleScheduleSchema,
  ruleScopeSchema,
  type WorkingHours,
} from '@fleet/shared';
import {
  jsonColumn as json,
  placeShapeFromRow,
  type SqlDatabase,
  type StoredPlaceShape,
} from '@fleet/shared/db';
import type { OrgRules, OrgRulesSource } from './engine.ts';
import { RULE_KIND_MODULES } from './kinds/index.ts';
import { buildOrgContext, type LiveOrgContext } from './org-context.ts';
import type { AssetInfo, PlaceInfo } from './types.ts';

export const RULE_CONTEXT_CHANNEL = 'fleet_rule_context';

interface OrgRow {
  id: string;
  time_zone: string;
  working_hours: WorkingHours | string | null;
}
interface RuleRow {
  id: string;
  org_id: string;
  name: string;
  kind: string;
  severity: RuleDefinition['severity'];
  params: unknown;
  scope: unknown;
  schedule: unknown;
}
interface PlaceRow extends StoredPlaceShape {
  id: string;
  org_id: string;
  name: string;
  category: string;
  speed_limit_kmh: number | null;
}
interface AssetRow {
  org_id: string;
  device_id: string;
  id: string;
  kind: 'vehicle' | 'equipment';
  name: string;
  plate: string | null;
  department_id: string | null;
  speed_limit_kmh: number | null;
  offline_after_s: number | null;
  tank_capacity_l: number | null;
  odometer_offset_km: number | string;
  engine_hours_offset: number | string;
}
interface DepartmentRow {
  id: string;
  org_id: string;
  parent_id: string | null;
}

const numOrNull = (v: number | string | null) => (v === null ? null : Number(v));

/** Turns a stored rule into the engine's, or says why it cannot run (a kind this build lacks). */
export function ruleFromRow(row: RuleRow): RuleDefinition | string {
  if (!(RULE_KINDS as string[]).includes(row.kind)) return `unknown kind ${row.kind}`;
  const kind = row.kind as RuleKind;
  let stored: { params: unknown; scope: unknown; schedule: unknown };
  try {
    stored = { params: json(row.params), scope: json(row.scope), schedule: json(row.schedule) };
  } catch {
    return 'a column is not JSON';
  }
  const params = parseRuleParams(kind, stored.params);
  if (!params.success) return `parameters: ${params.error.issues[0]?.message ?? 'invalid'}`;
  const scope = ruleScopeSchema.safeParse(stored.scope ?? {});
  if (!scope.success) return `scope: ${scope.error.issues[0]?.message ?? 'invalid'}`;
  const schedule = stored.schedule === null ? undefined : ruleScheduleSchema.safeParse(stored.schedule);
  if (schedule && !schedule.success) return `schedule: ${schedule.error.issues[0]?.message ?? 'invalid'}`;
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    kind,
    severity: row.severity,
    enabled: true,
    params: params.data,
    scope: scope.data,
    schedule: schedule?.data,
  } as RuleDefinition;
}

/** Whether a rule's scope and kind cover an asset (in departments along `path`, from its own up). */
export function ruleCovers(
  rule: RuleDefinition,
  asset: { id: string; kind: 'vehicle' | 'equipment' },
  path: readonly string[],
): boolean {
  if (!RULE_KIND_MODULES[rule.kind].assetKinds.includes(asset.kind)) return false;
  const { departmentIds, assetIds } = rule.scope;
  if (departmentIds.length === 0 && assetIds.length === 0) return true;
  return assetIds.includes(asset.id) || departmentIds.some((d) => path.includes(d));
}

/** Which of the organisation's rules watch an asset, cached per asset until the next reload. */
function scopedRules(
  rules: readonly RuleDefinition[],
  departmentPath: (id: string | null) => readonly string[],
) {
  const cache = new Map<string, readonly RuleDefinition[]>();
  return (asset: AssetInfo): readonly RuleDefinition[] => {
    const hit = cache.get(asset.id);
    if (hit) return hit;
    const path = departmentPath(asset.departmentId);
    const matching = rules.filter((rule) => ruleCovers(rule, asset, path));
    cache.set(asset.id, matching);
    return matching;
  };
}

export interface RuleDirectoryDeps {
  db: SqlDatabase;
  log: Logger;
  /** An organisation was (re)loaded: the engine drops state of rules that are gone. */
  onReload?(orgId: string, ruleIds: ReadonlySet<string>): void;
  /** Coalesces bursts of changes (a CSV import) into one reload. */
  debounceMs?: number;
  /** First wait before a failed reload is tried again (doubling to a minute); default 5 s. */
  retryMs?: number;
}

export class RuleDirectory implements OrgRulesSource {
  readonly #deps: RuleDirectoryDeps;
  readonly #orgs = new Map<string, OrgRules>();
  readonly #pending = new Map<string, NodeJS.Timeout>();
  #stopListening: (() => Promise<void>) | undefined;
  #reloads: Promise<void> = Promise.resolve();

  constructor(deps: RuleDirectoryDeps) {
    this.#deps = deps;
  }

  get(orgId: string): OrgRules | undefined {
    return this.#orgs.get(orgId);
  }

  get size(): number {
    return this.#orgs.size;
  }

  /** Loads every organisation and starts following changes. */
  async start(): Promise<void> {
    this.#stopListening = await this.#deps.db.listen(RULE_CONTEXT_CHANNEL, (orgId) => this.#schedule(orgId));
    await this.load(undefined);
  }

  async stop(): Promise<void> {
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
    const stopListening = this.#stopListening;
    this.#stopListening = undefined;
    await stopListening?.();
    await this.#reloads;
  }

  /** Waits for reloads already scheduled (tests, and a clean stop). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await new Promise((r) => setTimeout(r, 10));
    await this.#reloads;
  }

  /**
   * Reloads an organisation after a short debounce. A reload that fails (the database busy or
   * away) is tried again, 5 s after the first failure and doubling to a minute, until one
   * succeeds or a newer change reschedules it: the engine must not go on with old rules.
   */
  #schedule(orgId: string, failures = 0): void {
    if (!/^[0-9a-f-]{36}$/i.test(orgId)) return;
    const existing = this.#pending.get(orgId);
    if (existing) clearTimeout(existing);
    const delayMs =
      failures === 0
        ? (this.#deps.debounceMs ?? 200)
        : Math.min(60_000, (this.#deps.retryMs ?? 5000) * 2 ** (failures - 1));
    const timer = setTimeout(() => {
      this.#pending.delete(orgId);
      this.#reloads = this.#reloads
        .then(() => this.load(orgId))
        .catch((err: unknown) => {
          this.#deps.log.error(
            { err, orgId, failures: failures + 1 },
            'could not reload the rules of an organisation; trying again',
          );
          if (this.#stopListening !== undefined && !this.#pending.has(orgId))
            this.#schedule(orgId, failures + 1);
        });
    }, delayMs);
    timer.unref?.();
    this.#pending.set(orgId, timer);
  }

  /** Loads one organisation (or all, given undefined) from the database. */
  async load(orgId: string | undefined): Promise<void> {
    const db = this.#deps.db;
    const where = orgId === undefined ? '' : 'and org_id = $1';
    const params = orgId === undefined ? [] : [orgId];
    const [orgs, rules, places, assets, departments] = await Promise.all([
      db.query<OrgRow>(
        `select id::text as id, time_zone, working_hours from organisations where suspended_at is null ${orgId === undefined ? '' : 'and id = $1'}`,
        params,
      ),
      db.query<RuleRow>(
        `select id::text as id, org_id::text as org_id, name, kind, severity, params, scope, schedule
           from rules where archived_at is null and enabled ${where}`,
        params,
      ),
      db.query<PlaceRow>(
        `select id::text as id, org_id::text as org_id, name, category, geometry, radius_m,
                min_lat, min_lon, max_lat, max_lon, speed_limit_kmh from places where true ${where}`,
        params,
      ),
      db.query<AssetRow>(
        `select a.org_id::text as org_id, i.device_id, a.id::text as id, a.kind, a.name, a.plate,
                a.department_id::text as department_id, a.speed_limit_kmh, a.offline_after_s, a.tank_capacity_l,
                a.odometer_offset_km, a.engine_hours_offset
           from installations i join assets a on a.id = i.asset_id
          where i.removed_at is null and a.status <> 'retired' ${orgId === undefined ? '' : 'and a.org_id = $1'}`,
        params,
      ),
      db.query<DepartmentRow>(
        `select id::text as id, org_id::text as org_id, parent_id::text as parent_id from departments where true ${where}`,
        params,
      ),
    ]);
    const byOrg = <T extends { org_id: string }>(rows: T[]) => {
      const map = new Map<string, T[]>();
      for (const row of rows) {
        let list = map.get(row.org_id);
        if (!list) {
          list = [];
          map.set(row.org_id, list);
        }
        list.push(row);
      }
      return map;
    };
    const rulesByOrg = byOrg(rules);
    const placesByOrg = byOrg(places);
    const assetsByOrg = byOrg(assets);
    const departmentsByOrg = byOrg(departments);
    const loaded = new Set(orgs.map((o) => o.id));
    if (orgId !== undefined && !loaded.has(orgId)) {
      // Suspended (or gone): its devices are disconnected; nothing to evaluate.
      this.#orgs.delete(orgId);
      this.#deps.onReload?.(orgId, new Set());
      return;
    }
    for (const org of orgs) {
      const definitions: RuleDefinition[] = [];
      for (const row of rulesByOrg.get(org.id) ?? []) {
        const rule = ruleFromRow(row);
        if (typeof rule === 'string')
          this.#deps.log.warn({ ruleId: row.id, problem: rule }, 'a rule cannot run');
        else definitions.push(rule);
      }
      const parents = new Map((departmentsByOrg.get(org.id) ?? []).map((d) => [d.id, d.parent_id]));
      const departmentPath = (id: string | null): string[] => {
        const path: string[] = [];
        for (let at = id; at !== null && at !== undefined && path.length < 64; at = parents.get(at) ?? null)
          path.push(at);
        return path;
      };
      const placeInfos: PlaceInfo[] = (placesByOrg.get(org.id) ?? []).map((p) => ({
        id: p.id,
        name: p.name,
        category: p.category,
        speedLimitKmh: numOrNull(p.speed_limit_kmh),
        shape: placeShapeFromRow(p),
      }));
      const assetMap = new Map<string, AssetInfo>(
        (assetsByOrg.get(org.id) ?? []).map((a) => [
          a.device_id,
          {
            id: a.id,
            kind: a.kind,
            name: a.name,
            plate: a.plate,
            departmentId: a.department_id,
            speedLimitKmh: numOrNull(a.speed_limit_kmh),
            offlineAfterS: numOrNull(a.offline_after_s),
            tankCapacityL: numOrNull(a.tank_capacity_l),
            odometerOffsetKm: Number(a.odometer_offset_km),
            engineHoursOffset: Number(a.engine_hours_offset),
          },
        ]),
      );
      const previous: LiveOrgContext | undefined = this.#orgs.get(org.id)?.context;
      const context = buildOrgContext(
        {
          orgId: org.id,
          timeZone: org.time_zone,
          workingHours: org.working_hours === null ? DEFAULT_WORKING_HOURS : json(org.working_hours),
          places: placeInfos,
          assets: assetMap,
        },
        previous,
      );
      this.#orgs.set(org.id, {
        context,
        rules: definitions,
        rulesFor: scopedRules(definitions, departmentPath),
        departmentPath,
      });
      this.#deps.onReload?.(org.id, new Set(definitions.map((r) => r.id)));
    }
    if (orgId === undefined)
      for (const known of [...this.#orgs.keys()]) if (!loaded.has(known)) this.#orgs.delete(known);
  }
}
