// POST /api/v1/rules/preview: what a rule, saved or still being edited, would have raised on one
// asset over a stored range. The rule engine's own preview (@fleet/ingest/rules, previewRule)
// runs in this request on records read back from QuestDB, with the organisation's places and
// assets as the live engine sees them; it writes nothing and raises no real alert.
import { previewRule, RuleDirectory } from '@fleet/ingest/rules';
import { type RuleDefinition, silentLogger } from '@fleet/shared';
import { readStoredRecords } from '../../history.ts';
import { ApiError } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { MANAGE_RULES } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, notFoundResponse } from '../../routes/schemas.ts';
import { Installations } from '../assets/repository.ts';
import { Rules } from './repository.ts';
import { PREVIEW_MAX_ALERTS, type PreviewRule, rulePreviewBodySchema, rulePreviewSchema } from './schemas.ts';

/**
 * Most records (and as many events) one preview reads: a day and a bit of one device at 1 Hz.
 * The engine takes about a microsecond or two per record and rule; reading and parsing the rows
 * from QuestDB costs more, and the request holds the API's event loop while it runs.
 */
export const PREVIEW_MAX_RECORDS = 100_000;

const iso = (ms: number) => new Date(ms).toISOString();

/** Kinds whose conditions involve other devices (a vehicle near the item): their records are read too. */
const NEIGHBOUR_KINDS = new Set(['equipment_left_behind', 'equipment_unaccompanied']);

export function rulePreviewRoutes(ctx: ApiContext): AnyRoute[] {
  return [
    defineRoute({
      id: 'previewRule',
      method: 'post',
      path: '/api/v1/rules/preview',
      tag: 'rules',
      summary: 'Run a rule over an asset’s stored history: the alerts it would have raised',
      description:
        `Give the rule being edited (\`rule\`: kind, params, scope, schedule, severity) or a saved one (\`ruleId\`), an asset and a range of at most 7 days. ` +
        `The rule runs over the asset's stored records in device time, as the live engine would have run it (the asset scope is not applied: the asset is the one chosen; place scope is). ` +
        `Nothing is stored and no alert is raised. At most ${PREVIEW_MAX_RECORDS.toLocaleString('en')} records are read (\`truncated\` says when the range held more) and ${PREVIEW_MAX_ALERTS} alerts listed.`,
      access: MANAGE_RULES,
      body: rulePreviewBodySchema,
      responses: {
        200: { description: 'What the rule would have raised', schema: rulePreviewSchema },
        ...ERROR_RESPONSES,
        404: notFoundResponse('rule or asset'),
      },
      async handler({ principal, body }) {
        const orgId = principal.orgId;
        const range = { from: body.from, to: body.to };
        const rule = await definition(ctx, orgId, body.rule, body.ruleId);
        const found = await new Installations(ctx.db, orgId).windows(body.assetId, range);
        if (!found) throw new ApiError('not_found', 'No such asset.');
        const directory = new RuleDirectory({ db: ctx.db, log: silentLogger() });
        await directory.load(orgId);
        const context = directory.get(orgId)?.context;
        if (!context) throw new ApiError('not_found', 'No such asset.');

        const own = await readStoredRecords(
          ctx.questdb,
          { tenant: orgId, windows: found.windows },
          range,
          PREVIEW_MAX_RECORDS,
        );
        const deviceIds = new Set(found.windows.map((w) => w.deviceId));
        let telemetry = own.telemetry;
        let events = own.events;
        let truncated = own.truncated;
        if (NEIGHBOUR_KINDS.has(rule.kind)) {
          const everyone = await readStoredRecords(
            ctx.questdb,
            { tenant: orgId, everyDevice: true },
            range,
            PREVIEW_MAX_RECORDS,
          );
          // The asset's own records come from its installation windows only.
          telemetry = [...telemetry, ...everyone.telemetry.filter((r) => !deviceIds.has(r.deviceId))];
          events = [...events, ...everyone.events.filter((e) => !deviceIds.has(e.deviceId))];
          truncated ||= everyone.truncated;
        }
        const a = found.asset;
        const result = previewRule({
          rule,
          context,
          asset: {
            id: a.id,
            kind: a.kind,
            name: a.name,
            plate: a.plate,
            departmentId: a.departmentId,
            speedLimitKmh: a.speedLimitKmh,
            offlineAfterS: a.offlineAfterS,
            tankCapacityL: a.tankCapacityL,
            odometerOffsetKm: a.odometerOffsetKm,
            engineHoursOffset: a.engineHoursOffset,
          },
          deviceIds,
          telemetry,
          events,
          from: range.from,
          to: range.to,
          tickMs: ctx.config.RULES_TICK_S * 1000,
          maxAlerts: PREVIEW_MAX_ALERTS,
        });
        return {
          status: 200,
          body: {
            assetId: a.id,
            from: iso(range.from),
            to: iso(range.to),
            records: result.evaluated,
            truncated,
            alerts: result.alerts.map((x) => ({
              ...x,
              startedAt: iso(x.startedAt),
              endedAt: x.endedAt === null ? null : iso(x.endedAt),
            })),
            moreAlerts: result.moreAlerts,
          },
        };
      },
    }),
  ];
}

/** The rule to run: the one in the body, or the saved one (404 when there is none). */
async function definition(
  ctx: ApiContext,
  orgId: string,
  draft: PreviewRule | undefined,
  ruleId: string | undefined,
): Promise<RuleDefinition> {
  const saved = ruleId === undefined ? undefined : await new Rules(ctx.db, orgId).get(ruleId);
  if (ruleId !== undefined && !saved) throw new ApiError('not_found', 'No such rule.');
  const r = saved ?? draft;
  if (!r) throw new ApiError('validation_failed', 'Give either rule or ruleId.');
  return {
    id: saved?.id ?? 'preview',
    orgId,
    name: saved?.name ?? 'Preview',
    kind: r.kind,
    severity: r.severity,
    enabled: true,
    params: r.params,
    scope: r.scope,
    schedule: r.schedule ?? undefined,
  } as RuleDefinition;
}
