// Maintenance: service plans (what is done every N km, engine hours or months, to which
// assets), each asset's meters (from its device, or read by people) and its status on every plan
// that applies to it: the maintenance board, most urgent first, with the forecast date from the
// last 30 days of use. The device side raises the due-soon, due and overdue alerts (service-due
// rules) from the same statuses. Everyone reads; the fleet's owners shape plans; the workshop
// enters readings.
import { DTC_CATALOGUE_SOURCE, describeDtc, dtcLabel } from '@fleet/shared/dtc';
import type { z } from 'zod';
import { ApiError, errorBodySchema } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE, MANAGE_SERVICE_PLANS, WORK_ON_MAINTENANCE } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, empty, iso, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import {
  countLevels,
  MaintenanceBoard,
  Meters,
  type PlanWithCount,
  planProblemsFor,
  ServicePlans,
  statusBody,
} from './repository.ts';
import {
  assetMaintenanceSchema,
  assetMetersSchema,
  boardQuerySchema,
  boardSchema,
  dtcParam,
  dtcSchema,
  flaggedReadingPageSchema,
  meterReadingSchema,
  newMeterReadingSchema,
  newServicePlanSchema,
  servicePlanChangesSchema,
  servicePlanListSchema,
  servicePlanSchema,
} from './schemas.ts';

function planBody(p: PlanWithCount): z.input<typeof servicePlanSchema> {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    items: p.items,
    intervalKm: p.interval.km,
    intervalHours: p.interval.hours,
    intervalMonths: p.interval.months,
    soonKm: p.interval.soonKm,
    soonHours: p.interval.soonHours,
    soonDays: p.interval.soonDays,
    appliesTo: p.appliesTo,
    autoWorkOrder: p.autoWorkOrder,
    assets: p.assets,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

const planErrors = { ...ERROR_RESPONSES, 404: notFoundResponse('service plan') } as const;
const conflict = { description: 'Another plan has that name', schema: errorBodySchema } as const;
const NO_PLAN = 'No such service plan.';
const NO_ASSET = 'No such asset.';

export function maintenanceRoutes(ctx: ApiContext): AnyRoute[] {
  const plans = (orgId: string) => new ServicePlans(ctx.db, orgId);
  const meters = (orgId: string) => new Meters(ctx.db, orgId);
  const board = (orgId: string) => new MaintenanceBoard(ctx.db, orgId);
  return [
    defineRoute({
      id: 'listServicePlans',
      method: 'get',
      path: '/api/v1/service-plans',
      tag: 'maintenance',
      summary: "The organisation's service plans",
      access: ANY_ROLE,
      responses: {
        200: { description: 'Every plan, by name', schema: servicePlanListSchema },
        ...ERROR_RESPONSES,
      },
      async handler({ principal }) {
        return { status: 200, body: { items: (await plans(principal.orgId).list()).map(planBody) } };
      },
    }),
    defineRoute({
      id: 'getServicePlan',
      method: 'get',
      path: '/api/v1/service-plans/{id}',
      tag: 'maintenance',
      summary: 'One service plan',
      access: ANY_ROLE,
      params: uuidParam,
      responses: { 200: { description: 'The plan', schema: servicePlanSchema }, ...planErrors },
      async handler({ principal, params }) {
        const plan = await plans(principal.orgId).get(params.id);
        if (!plan) throw new ApiError('not_found', NO_PLAN);
        return { status: 200, body: planBody(plan) };
      },
    }),
    defineRoute({
      id: 'createServicePlan',
      method: 'post',
      path: '/api/v1/service-plans',
      tag: 'maintenance',
      summary: 'Add a service plan',
      description:
        'Due every intervalKm, intervalHours and/or intervalMonths, whichever comes first (at least one). The due-soon windows (soonKm, soonHours, soonDays) default to a tenth of the interval and 14 days; a service is overdue once past due by more than its window. Without a completed work order the count starts at 0 km / 0 h and on the day the plan and the asset both existed: record the last service as a completed work order.',
      access: MANAGE_SERVICE_PLANS,
      body: newServicePlanSchema,
      responses: { 201: { description: 'Created', schema: servicePlanSchema }, ...planErrors, 409: conflict },
      async handler({ principal, body }) {
        return { status: 201, body: planBody(await plans(principal.orgId).create(body)) };
      },
    }),
    defineRoute({
      id: 'updateServicePlan',
      method: 'patch',
      path: '/api/v1/service-plans/{id}',
      tag: 'maintenance',
      summary: 'Change a service plan (null clears an interval or window)',
      access: MANAGE_SERVICE_PLANS,
      params: uuidParam,
      body: servicePlanChangesSchema,
      responses: {
        200: { description: 'The changed plan', schema: servicePlanSchema },
        ...planErrors,
        409: conflict,
      },
      async handler({ principal, params, body }) {
        const repo = plans(principal.orgId);
        const before = await repo.get(params.id);
        if (!before) throw new ApiError('not_found', NO_PLAN);
        const problems = planProblemsFor(before, body);
        if (problems.length > 0)
          throw new ApiError('validation_failed', problems[0]?.message, {
            details: problems.map((p) => ({ path: `body.${p.path}`, message: p.message })),
          });
        const plan = await repo.update(params.id, body);
        if (!plan) throw new ApiError('not_found', NO_PLAN);
        return { status: 200, body: planBody(plan) };
      },
    }),
    defineRoute({
      id: 'archiveServicePlan',
      method: 'post',
      path: '/api/v1/service-plans/{id}/archive',
      tag: 'maintenance',
      summary: 'Archive a service plan',
      description: 'It stops applying (its due alerts resolve); its work orders keep it.',
      access: MANAGE_SERVICE_PLANS,
      params: uuidParam,
      responses: { 200: { description: 'Archived', schema: empty }, ...planErrors },
      async handler({ principal, params }) {
        if (!(await plans(principal.orgId).archive(params.id))) throw new ApiError('not_found', NO_PLAN);
        return { status: 200, body: {} };
      },
    }),
    defineRoute({
      id: 'maintenanceBoard',
      method: 'get',
      path: '/api/v1/maintenance/board',
      tag: 'maintenance',
      summary: 'Every asset on every plan that applies to it, most urgent first',
      description:
        "Overdue, then due, due soon and ok; within a level, the nearest to (or furthest past) due first. Meters are the device side's, written every few seconds (MAINTENANCE_FLUSH_MS), or people's readings. `counts` covers what the filters keep.",
      access: ANY_ROLE,
      query: boardQuerySchema,
      responses: { 200: { description: 'The board', schema: boardSchema }, ...ERROR_RESPONSES },
      async handler({ principal, query }) {
        const now = Date.now();
        const repo = board(principal.orgId);
        const { statuses, use } = await repo.statuses(now);
        const departments = query.departmentId ? await repo.subtree(query.departmentId) : undefined;
        const q = query.q?.toLowerCase();
        const kept = statuses.filter(
          (s) =>
            (query.kind === undefined || s.asset.kind === query.kind) &&
            (query.planId === undefined || s.plan.id === query.planId) &&
            (departments === undefined ||
              (s.asset.departmentId !== null && departments.has(s.asset.departmentId))) &&
            (q === undefined ||
              s.asset.name.toLowerCase().includes(q) ||
              (s.asset.plate ?? '').toLowerCase().replace(/[\s-]/g, '').includes(q.replace(/[\s-]/g, ''))),
        );
        const counts = countLevels(kept);
        const items = kept.filter((s) => query.level === undefined || query.level.includes(s.status.level));
        return {
          status: 200,
          body: {
            at: new Date(now).toISOString(),
            counts,
            items: items.map((s) => statusBody(s, use.get(s.asset.id))),
          },
        };
      },
    }),
    defineRoute({
      id: 'assetMaintenance',
      method: 'get',
      path: '/api/v1/assets/{id}/maintenance',
      tag: 'maintenance',
      summary: "An asset's upcoming services: its status on each plan that applies",
      description: 'Its service history is its work orders: GET /api/v1/work-orders?assetId=.',
      access: ANY_ROLE,
      params: uuidParam,
      responses: {
        200: { description: 'Upcoming services', schema: assetMaintenanceSchema },
        ...ERROR_RESPONSES,
        404: notFoundResponse('asset'),
      },
      async handler({ principal, params }) {
        const now = Date.now();
        const { statuses, use, assets } = await board(principal.orgId).statuses(now, params.id);
        if (assets === 0) throw new ApiError('not_found', NO_ASSET);
        return {
          status: 200,
          body: { assetId: params.id, upcoming: statuses.map((s) => statusBody(s, use.get(s.asset.id))) },
        };
      },
    }),
    defineRoute({
      id: 'assetMeters',
      method: 'get',
      path: '/api/v1/assets/{id}/meters',
      tag: 'maintenance',
      summary: "An asset's odometer and engine hours, and its newest readings",
      description:
        "From its device's telemetry plus the asset's offsets, or entered by people. Readings that went backwards or jumped faster than the asset can go are kept, flagged, and never used.",
      access: ANY_ROLE,
      params: uuidParam,
      responses: {
        200: { description: 'Meters', schema: assetMetersSchema },
        ...ERROR_RESPONSES,
        404: notFoundResponse('asset'),
      },
      async handler({ principal, params }) {
        const m = await meters(principal.orgId).forAsset(params.id);
        if (!m) throw new ApiError('not_found', NO_ASSET);
        return { status: 200, body: m };
      },
    }),
    defineRoute({
      id: 'addMeterReading',
      method: 'post',
      path: '/api/v1/assets/{id}/meter-readings',
      tag: 'maintenance',
      summary: 'Enter an odometer or engine-hour reading (assets without a device reporting it)',
      description:
        'Refused (400, naming body.value) when it is below the current reading or rises faster than the asset can go (250 km/h, one engine hour an hour); 409 when the meter comes from a device (set the offset instead).',
      access: WORK_ON_MAINTENANCE,
      params: uuidParam,
      body: newMeterReadingSchema,
      responses: {
        201: { description: 'Recorded', schema: meterReadingSchema },
        ...ERROR_RESPONSES,
        404: notFoundResponse('asset'),
        409: { description: 'The meter comes from a device', schema: errorBodySchema },
      },
      async handler({ principal, params, body }) {
        const reading = await meters(principal.orgId).add(params.id, body, principal.userId);
        if (!reading) throw new ApiError('not_found', NO_ASSET);
        return { status: 201, body: reading };
      },
    }),
    defineRoute({
      id: 'flaggedMeterReadings',
      method: 'get',
      path: '/api/v1/maintenance/flagged-readings',
      tag: 'maintenance',
      summary: 'Meter readings refused lately (backwards or impossible jumps), newest first',
      access: ANY_ROLE,
      responses: {
        200: { description: 'At most 200', schema: flaggedReadingPageSchema },
        ...ERROR_RESPONSES,
      },
      async handler({ principal }) {
        return { status: 200, body: { items: await meters(principal.orgId).flagged() } };
      },
    }),
    defineRoute({
      id: 'describeDtc',
      method: 'get',
      path: '/api/v1/dtc/{code}',
      tag: 'maintenance',
      summary: 'What an OBD-II trouble code means',
      description:
        'From the catalogue of generic (SAE J2012) codes the platform ships; manufacturer-specific, reserved and unknown codes are said to be so.',
      access: ANY_ROLE,
      params: dtcParam,
      responses: { 200: { description: 'The code', schema: dtcSchema }, ...ERROR_RESPONSES },
      async handler({ params }) {
        const info = describeDtc(params.code);
        return {
          status: 200,
          body: {
            code: info?.code ?? params.code.trim().slice(0, 20),
            valid: info !== undefined,
            system: info?.system ?? null,
            standard: info?.standard ?? null,
            description: info?.description ?? null,
            label: dtcLabel(params.code),
            source: `${DTC_CATALOGUE_SOURCE.name} (${DTC_CATALOGUE_SOURCE.package} ${DTC_CATALOGUE_SOURCE.version}, ${DTC_CATALOGUE_SOURCE.licence})`,
          },
        };
      },
    }),
  ];
}
