// Rules of the organisation: what raises an alert (speeding over a limit, entering a place, an
// engine fault code ...), for which assets and places, and when. Everyone reads them and the
// catalogue of kinds; admins, fleet managers and dispatchers (MANAGE_RULES) write them. The rule
// engine (ingest/src/rules) runs what is stored here; it reloads on the NOTIFY of migration 0012.

import type { AlertRecord } from '@fleet/shared';
import { RULE_KIND_LABELS } from '@fleet/shared/rules';
import type { z } from 'zod';
import { ApiError, errorBodySchema } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE, MANAGE_RULES } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, iso, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { rulePreviewRoutes } from './preview.ts';
import { type Rule, Rules } from './repository.ts';
import {
  newRuleSchema,
  ruleCatalogue,
  ruleCatalogueSchema,
  ruleChangesSchema,
  rulePageSchema,
  ruleQuerySchema,
  ruleSchema,
} from './schemas.ts';

const errors = ERROR_RESPONSES;
const notFound = notFoundResponse('rule');
const duplicate = { description: 'A rule with this name exists', schema: errorBodySchema } as const;
const NO_RULE = 'No such rule.';

export function ruleBody(r: Rule): z.input<typeof ruleSchema> {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    kindLabel: RULE_KIND_LABELS[r.kind],
    severity: r.severity,
    enabled: r.enabled,
    params: r.params,
    scope: r.scope,
    schedule: r.schedule,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

export function ruleRoutes(ctx: ApiContext): AnyRoute[] {
  const rules = (orgId: string) => new Rules(ctx.db, orgId);
  const catalogue = ruleCatalogue();
  /** Alerts that ended with their rule, on the bus (the hub, the console) once committed. */
  const resolved = (alerts: readonly AlertRecord[]) => {
    for (const alert of alerts) ctx.bus.publish('alert', { change: 'resolved', alert });
  };

  return [
    ...rulePreviewRoutes(ctx),
    defineRoute({
      id: 'ruleCatalogue',
      method: 'get',
      path: '/api/v1/rules/catalogue',
      tag: 'rules',
      summary: 'Every kind of rule, with its parameters',
      description:
        'For each kind: its label, the assets it applies to, whether its scope takes places, and its parameters as JSON Schema with units in the names (`...Kmh`, `...S` seconds, `...M` metres, `...Pct`, `...V`) and their defaults.',
      access: ANY_ROLE,
      responses: { 200: { description: 'The catalogue', schema: ruleCatalogueSchema }, ...errors },
      async handler() {
        return { status: 200, body: catalogue };
      },
    }),
    defineRoute({
      id: 'listRules',
      method: 'get',
      path: '/api/v1/rules',
      tag: 'rules',
      summary: "The organisation's rules, by name",
      description: 'Filter by kind, enabled and part of the name. Archived rules are not listed.',
      access: ANY_ROLE,
      query: ruleQuerySchema,
      responses: { 200: { description: 'A page of rules', schema: rulePageSchema }, ...errors },
      async handler({ principal, query }) {
        const page = await rules(principal.orgId).page({
          kind: query.kind,
          enabled: query.enabled,
          nameContains: query.name,
          limit: query.limit,
          offset: query.offset,
        });
        return {
          status: 200,
          body: {
            items: page.items.map(ruleBody),
            total: page.total,
            limit: query.limit,
            offset: query.offset,
          },
        };
      },
    }),
    defineRoute({
      id: 'getRule',
      method: 'get',
      path: '/api/v1/rules/{id}',
      tag: 'rules',
      summary: 'One rule',
      access: ANY_ROLE,
      params: uuidParam,
      responses: { 200: { description: 'The rule', schema: ruleSchema }, ...errors, 404: notFound },
      async handler({ principal, params }) {
        const rule = await rules(principal.orgId).get(params.id);
        if (!rule) throw new ApiError('not_found', NO_RULE);
        return { status: 200, body: ruleBody(rule) };
      },
    }),
    defineRoute({
      id: 'createRule',
      method: 'post',
      path: '/api/v1/rules',
      tag: 'rules',
      summary: 'Create a rule',
      description:
        '`{name, kind, severity?, enabled?, params?, scope?, schedule?}`. Parameters are checked against the kind (unknown ones refused, units checked) and stored with the defaults filled in. Scope ids must be departments, assets (not retired) and places of the organisation; only geofence kinds take places. A user with a department scope creates rules within their subtree only, and an empty scope becomes their department.',
      access: MANAGE_RULES,
      body: newRuleSchema,
      responses: { 201: { description: 'Created', schema: ruleSchema }, ...errors, 409: duplicate },
      async handler({ principal, body }) {
        return { status: 201, body: ruleBody(await rules(principal.orgId).create(body)) };
      },
    }),
    defineRoute({
      id: 'updateRule',
      method: 'patch',
      path: '/api/v1/rules/{id}',
      tag: 'rules',
      summary: 'Rename, re-grade, switch on or off, or change the parameters, scope or schedule of a rule',
      description:
        '`params` replaces the parameters (absent ones take their defaults); `scope` replaces the scope; `schedule: null` makes the rule always on. The kind cannot change. A user with a department scope changes only rules that watch assets of their subtree (403 otherwise).',
      access: MANAGE_RULES,
      params: uuidParam,
      body: ruleChangesSchema,
      responses: {
        200: { description: 'The changed rule', schema: ruleSchema },
        ...errors,
        404: notFound,
        409: duplicate,
      },
      async handler({ principal, params, body }) {
        const outcome = await rules(principal.orgId).update(params.id, body, principal.userId);
        if (!outcome) throw new ApiError('not_found', NO_RULE);
        resolved(outcome.endedAlerts);
        return { status: 200, body: ruleBody(outcome.rule) };
      },
    }),
    defineRoute({
      id: 'archiveRule',
      method: 'delete',
      path: '/api/v1/rules/{id}',
      tag: 'rules',
      summary: 'Archive a rule',
      description:
        'The rule stops and leaves every route (its name is free again); the alerts it raised stay, with its name.',
      access: MANAGE_RULES,
      params: uuidParam,
      responses: { 204: { description: 'Archived' }, ...errors, 404: notFound },
      async handler({ principal, params }) {
        const outcome = await rules(principal.orgId).archive(params.id, principal.userId);
        if (!outcome) throw new ApiError('not_found', NO_RULE);
        resolved(outcome.endedAlerts);
        return { status: 204, body: undefined };
      },
    }),
  ];
}
