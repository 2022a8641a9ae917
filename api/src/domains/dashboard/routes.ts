// The KPI dashboard: the managers' home page in one read (repository.ts says from where). Everyone
// reads it; a department-scoped user's holds their subtree's assets and what happens to them.
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES } from '../../routes/schemas.ts';
import { readDashboard } from './repository.ts';
import { dashboardQuerySchema, dashboardSchema } from './schemas.ts';

export function dashboardRoutes(ctx: ApiContext): AnyRoute[] {
  return [
    defineRoute({
      id: 'dashboard',
      method: 'get',
      path: '/api/v1/dashboard',
      tag: 'reports',
      summary:
        'The KPI dashboard: the fleet now, distance and engine time today and this month, alerts, jobs, services due, cost per km',
      description:
        "Days and months are the organisation's calendar. `today` and `month` are the fleet summary (GET /api/v1/reports/summary) of today and of the 1st of this month to today; `alerts` the badge's counts (GET /api/v1/alerts/summary); `jobs` the board of today (GET /api/v1/jobs?day=); `services` the maintenance board's counts; `costPerKm` the fleet's costs over its metered kilometres, month by month.",
      access: ANY_ROLE,
      query: dashboardQuerySchema,
      responses: { 200: { description: 'The dashboard', schema: dashboardSchema }, ...ERROR_RESPONSES },
      async handler({ principal, query }) {
        return { status: 200, body: await readDashboard(ctx, principal.orgId, query.months, Date.now()) };
      },
    }),
  ];
}
