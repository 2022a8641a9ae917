// Costs: fuel entries (by hand, from a fuel card's CSV statement, or a refuel the rule engine saw,
// confirmed by a person), other costs of an asset or a department (tolls, insurance, tyres,
// leases ...), and the figures from them with the work orders': cost per km and per engine hour
// (over a range, life to date, month by month), fuel consumption, the total cost of ownership of
// an asset, and the costs per asset or department. All money in the organisation's currency,
// exact. Everyone reads; the fleet's owners enter costs; dispatchers also enter fuel.

import { inTenant } from '@fleet/shared/db';
import { localDayStart } from '@fleet/shared/time-zone';
import { columnList } from '../../csv/import.ts';
import { importRoute, runImport } from '../../csv/routes.ts';
import { ApiError, errorBodySchema } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE, ENTER_COSTS, ENTER_FUEL } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, empty, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { ASSETS, FUEL_IMPORT } from './csv.ts';
import { CostEntries, CostReports, FuelEntries } from './repository.ts';
import {
  assetCostsSchema,
  confirmRefuelSchema,
  costEntryListSchema,
  costEntrySchema,
  costSummaryQuerySchema,
  costSummarySchema,
  fuelEntryListSchema,
  fuelEntrySchema,
  newCostEntrySchema,
  newFuelEntrySchema,
  rangeQuerySchema,
  refuelSuggestionListSchema,
} from './schemas.ts';

const conflict = { description: 'Entered already', schema: errorBodySchema } as const;

export function costRoutes(ctx: ApiContext): AnyRoute[] {
  const fuel = (orgId: string) => new FuelEntries(ctx.db, orgId);
  const costs = (orgId: string) => new CostEntries(ctx.db, orgId);
  const reports = (orgId: string) => new CostReports(ctx.db, orgId);
  return [
    defineRoute({
      id: 'listFuelEntries',
      method: 'get',
      path: '/api/v1/fuel-entries',
      tag: 'costs',
      summary: 'Fuel entries, newest first (a year to today unless from/to say otherwise)',
      access: ANY_ROLE,
      query: rangeQuerySchema,
      responses: { 200: { description: 'At most 5,000', schema: fuelEntryListSchema }, ...ERROR_RESPONSES },
      async handler({ principal, query }) {
        return { status: 200, body: { items: await fuel(principal.orgId).list(query) } };
      },
    }),
    defineRoute({
      id: 'createFuelEntry',
      method: 'post',
      path: '/api/v1/fuel-entries',
      tag: 'costs',
      summary: 'Enter a fill-up',
      description:
        'total is a decimal string in the organisation\'s currency ("54.90"); a partial fill-up (not to full) counts for costs and is left out of consumption figures, its litres going with the next full one.',
      access: ENTER_FUEL,
      body: newFuelEntrySchema,
      responses: { 201: { description: 'Entered', schema: fuelEntrySchema }, ...ERROR_RESPONSES },
      async handler({ principal, body }) {
        return { status: 201, body: await fuel(principal.orgId).create(body, principal.userId) };
      },
    }),
    defineRoute({
      id: 'deleteFuelEntry',
      method: 'delete',
      path: '/api/v1/fuel-entries/{id}',
      tag: 'costs',
      summary: 'Remove a fuel entry',
      access: ENTER_FUEL,
      params: uuidParam,
      responses: {
        200: { description: 'Removed', schema: empty },
        ...ERROR_RESPONSES,
        404: notFoundResponse('fuel entry'),
      },
      async handler({ principal, params }) {
        if (!(await fuel(principal.orgId).remove(params.id)))
          throw new ApiError('not_found', 'No such fuel entry.');
        return { status: 200, body: {} };
      },
    }),
    importRoute({
      id: 'importFuelEntries',
      collection: '/api/v1/fuel-entries',
      label: 'fuel entries',
      access: ENTER_FUEL,
      columns: columnList(FUEL_IMPORT),
      async run(principal, text, dryRun) {
        const repo = fuel(principal.orgId);
        const timeZone = await inTenant(ctx.db, principal.orgId, async (tx) => {
          const rows = await tx.query<{ time_zone: string }>(
            'select time_zone from organisations where id = $1::uuid',
            [principal.orgId],
          );
          return rows[0]?.time_zone ?? 'UTC';
        });
        return runImport({
          db: ctx.db,
          orgId: principal.orgId,
          text,
          dryRun,
          spec: FUEL_IMPORT,
          tables: [ASSETS],
          existing: async () => ({ ids: new Set(), byKey: new Map() }),
          async write({ creates }) {
            for (const c of creates) {
              const [h = '0', m = '0'] = (c.value.time || '00:00').split(/[:.]/);
              const at = localDayStart(c.value.day, timeZone) + (Number(h) * 60 + Number(m)) * 60_000;
              await repo.create(
                {
                  assetId: c.value.assetId,
                  filledAt: new Date(at).toISOString(),
                  litres: c.value.litres,
                  total: c.value.total,
                  odometerKm: c.value.odometerKm ?? null,
                  partial: c.value.partial,
                  station: c.value.station || undefined,
                  note: c.value.note || undefined,
                },
                principal.userId,
                'csv',
                c.row,
              );
            }
          },
        });
      },
    }),
    defineRoute({
      id: 'refuelSuggestions',
      method: 'get',
      path: '/api/v1/fuel-entries/suggestions',
      tag: 'costs',
      summary: 'Refuels the rule engine saw in the last 90 days that nobody has entered: offered to confirm',
      access: ANY_ROLE,
      responses: {
        200: { description: 'Newest first', schema: refuelSuggestionListSchema },
        ...ERROR_RESPONSES,
      },
      async handler({ principal }) {
        return { status: 200, body: { items: await fuel(principal.orgId).suggestions() } };
      },
    }),
    defineRoute({
      id: 'confirmRefuel',
      method: 'post',
      path: '/api/v1/alerts/{id}/fuel-entry',
      tag: 'costs',
      summary: 'Confirm a refuel alert as a fuel entry (its time and measured litres, the amount paid)',
      access: ENTER_FUEL,
      params: uuidParam,
      body: confirmRefuelSchema,
      responses: {
        201: { description: 'Entered', schema: fuelEntrySchema },
        ...ERROR_RESPONSES,
        404: notFoundResponse('refuel alert'),
        409: conflict,
      },
      async handler({ principal, params, body }) {
        const entry = await fuel(principal.orgId).confirmRefuel(params.id, body, principal.userId);
        if (!entry) throw new ApiError('not_found', 'No such refuel alert.');
        return { status: 201, body: entry };
      },
    }),
    defineRoute({
      id: 'listCostEntries',
      method: 'get',
      path: '/api/v1/cost-entries',
      tag: 'costs',
      summary: 'Other costs (tolls, insurance, tyres, leases ...), newest first',
      access: ANY_ROLE,
      query: rangeQuerySchema,
      responses: { 200: { description: 'At most 5,000', schema: costEntryListSchema }, ...ERROR_RESPONSES },
      async handler({ principal, query }) {
        return { status: 200, body: { items: await costs(principal.orgId).list(query) } };
      },
    }),
    defineRoute({
      id: 'createCostEntry',
      method: 'post',
      path: '/api/v1/cost-entries',
      tag: 'costs',
      summary: 'Enter a cost of an asset or a department',
      access: ENTER_COSTS,
      body: newCostEntrySchema,
      responses: { 201: { description: 'Entered', schema: costEntrySchema }, ...ERROR_RESPONSES },
      async handler({ principal, body }) {
        return { status: 201, body: await costs(principal.orgId).create(body, principal.userId) };
      },
    }),
    defineRoute({
      id: 'deleteCostEntry',
      method: 'delete',
      path: '/api/v1/cost-entries/{id}',
      tag: 'costs',
      summary: 'Remove a cost entry',
      access: ENTER_COSTS,
      params: uuidParam,
      responses: {
        200: { description: 'Removed', schema: empty },
        ...ERROR_RESPONSES,
        404: notFoundResponse('cost entry'),
      },
      async handler({ principal, params }) {
        if (!(await costs(principal.orgId).remove(params.id)))
          throw new ApiError('not_found', 'No such cost entry.');
        return { status: 200, body: {} };
      },
    }),
    defineRoute({
      id: 'assetCosts',
      method: 'get',
      path: '/api/v1/assets/{id}/costs',
      tag: 'costs',
      summary: "An asset's costs: the total cost of ownership over a range, life to date, and month by month",
      description:
        "Fuel, maintenance (the lines of work orders completed in the range) and other costs; cost per km and per engine hour (the meters between the range's ends); fuel consumption from full fill-up to full fill-up.",
      access: ANY_ROLE,
      params: uuidParam,
      query: rangeQuerySchema.omit({ assetId: true }),
      responses: {
        200: { description: 'Costs', schema: assetCostsSchema },
        ...ERROR_RESPONSES,
        404: notFoundResponse('asset'),
      },
      async handler({ principal, params, query }) {
        const figures = await reports(principal.orgId).asset(params.id, query);
        if (!figures) throw new ApiError('not_found', 'No such asset.');
        return { status: 200, body: figures };
      },
    }),
    defineRoute({
      id: 'costSummary',
      method: 'get',
      path: '/api/v1/costs/summary',
      tag: 'costs',
      summary: 'Costs per asset or per department over a range, the most expensive first',
      access: ANY_ROLE,
      query: costSummaryQuerySchema,
      responses: { 200: { description: 'Costs', schema: costSummarySchema }, ...ERROR_RESPONSES },
      async handler({ principal, query }) {
        return { status: 200, body: await reports(principal.orgId).summary(query) };
      },
    }),
  ];
}
