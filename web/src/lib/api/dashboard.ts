// The KPI dashboard's routes as the console calls them: the dashboard itself (GET
// /api/v1/dashboard, one read of every tile) and the day's jobs, read again when the hub says a
// job moved. Their shapes are the contract's (api/src/contract.ts), so this module only names the
// calls and their queries.
import type { Dashboard, Job } from '@fleet/api/contract';
import type { ApiClient } from './client.ts';

/** The API's longest cost trend (DASHBOARD_MAX_MONTHS); web/test/dashboard-figures.test.ts checks it equal. */
export const DASHBOARD_MAX_MONTHS = 12;
/** The most jobs one day's board reads (the board's own page). */
export const DAY_JOBS_LIMIT = 1000;

const withSignal = (signal: AbortSignal | undefined) => (signal ? { signal } : {});

export const dashboard = (api: ApiClient, months?: number, signal?: AbortSignal): Promise<Dashboard> =>
  api.call('GET /api/v1/dashboard', { query: { months }, ...withSignal(signal) });

/** The jobs overlapping a day of the organisation's calendar, as the board reads them. */
export const dayJobs = async (
  api: ApiClient,
  day: string,
  signal?: AbortSignal,
): Promise<{ items: Job[]; truncated: boolean }> =>
  api.call('GET /api/v1/jobs', { query: { day, limit: DAY_JOBS_LIMIT }, ...withSignal(signal) });
