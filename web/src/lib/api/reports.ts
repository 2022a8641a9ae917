// The report routes as the console calls them: the fleet summary, utilisation, geofence visits
// and alerts per asset, and one asset's trips and stops (JSON for the page, `format=csv|xlsx`
// for a file), and the report schedules that mail them weekly or monthly. Their shapes are the contract's (api/src/contract.ts
// lists these routes with their zod schemas); this module only names the calls. The limits the
// pages check before sending are the API's, written here because its schemas module brings zod at
// run time; web/test/reports-endpoints.test.ts checks them equal.
import type {
  AlertsReport,
  FleetSummary,
  NewReportSchedule,
  ReportSchedule,
  ReportScheduleChanges,
  ReportScheduleRun,
  StopList,
  TripList,
  UtilisationReport,
  VisitsReport,
} from '@fleet/api/contract';
import type { ApiClient, DownloadedFile } from './client.ts';

export const REPORT_LIMITS = {
  /** The widest summary, utilisation and alerts report, in days. */
  maxDays: 92,
  /** The widest visits report, in days. */
  visitsMaxDays: 31,
  scheduleName: 100,
  recipients: 20,
} as const;

export const REPORT_NAMES = ['summary', 'utilisation', 'visits', 'alerts'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];
export type ReportFile = 'csv' | 'xlsx';

/** Each report's route. */
export const REPORT_ENDPOINTS = {
  summary: 'GET /api/v1/reports/summary',
  utilisation: 'GET /api/v1/reports/utilisation',
  visits: 'GET /api/v1/reports/visits',
  alerts: 'GET /api/v1/reports/alerts',
} as const satisfies Record<ReportName, string>;

/** A report's query: the range, grouping and filters (undefined: not set). */
export type ReportQuery = Record<string, string | undefined>;

const options = (query: ReportQuery, signal: AbortSignal | undefined) => ({
  query,
  ...(signal ? { signal } : {}),
});

export const fleetSummary = (
  api: ApiClient,
  query: ReportQuery,
  signal?: AbortSignal,
): Promise<FleetSummary> => api.call('GET /api/v1/reports/summary', options(query, signal));
export const utilisationReport = (
  api: ApiClient,
  query: ReportQuery,
  signal?: AbortSignal,
): Promise<UtilisationReport> => api.call('GET /api/v1/reports/utilisation', options(query, signal));
export const visitsReport = (
  api: ApiClient,
  query: ReportQuery,
  signal?: AbortSignal,
): Promise<VisitsReport> => api.call('GET /api/v1/reports/visits', options(query, signal));
export const alertsReport = (
  api: ApiClient,
  query: ReportQuery,
  signal?: AbortSignal,
): Promise<AlertsReport> => api.call('GET /api/v1/reports/alerts', options(query, signal));

/** The report as a file, saved by the browser under the API's filename. */
export const downloadReport = (
  api: ApiClient,
  report: ReportName,
  query: ReportQuery,
  format: ReportFile,
): Promise<DownloadedFile> =>
  api.download(REPORT_ENDPOINTS[report], {
    query: { ...query, format },
    filename: `${report}-${query.from ?? ''}-${query.to ?? ''}.${format}`,
  });

const id = (value: string) => ({ params: { id: value } });

export const reportSchedules = async (api: ApiClient): Promise<ReportSchedule[]> =>
  (await api.call('GET /api/v1/report-schedules')).items;
export const createReportSchedule = (api: ApiClient, body: NewReportSchedule): Promise<ReportSchedule> =>
  api.call('POST /api/v1/report-schedules', { body });
export const changeReportSchedule = (
  api: ApiClient,
  scheduleId: string,
  body: ReportScheduleChanges,
): Promise<ReportSchedule> => api.call('PATCH /api/v1/report-schedules/{id}', { ...id(scheduleId), body });
export const removeReportSchedule = async (api: ApiClient, scheduleId: string): Promise<void> => {
  await api.call('DELETE /api/v1/report-schedules/{id}', id(scheduleId));
};
/** Sends the schedule's report now (for the last whole week or month); how it went. */
export const sendReportSchedule = (api: ApiClient, scheduleId: string): Promise<ReportScheduleRun> =>
  api.call('POST /api/v1/report-schedules/{id}/send', id(scheduleId));

// One asset's trips and stops (the trips domain's routes): `from` and `to` are instants there,
// each an asset's own route, at most SEGMENT_MAX_DAYS × 24 hours apart.

/** The widest range of an asset's trips or stops, in days of 24 hours (the API's MAX_RANGE_DAYS). */
export const SEGMENT_MAX_DAYS = 31;

export type SegmentKind = 'trips' | 'stops';
export const SEGMENT_ENDPOINTS = {
  trips: 'GET /api/v1/assets/{id}/trips',
  stops: 'GET /api/v1/assets/{id}/stops',
} as const satisfies Record<SegmentKind, string>;

/** A range of instants, as ISO 8601 times. */
export interface InstantRange {
  from: string;
  to: string;
}

const segments = (assetId: string, range: InstantRange, signal: AbortSignal | undefined) => ({
  params: { id: assetId },
  ...options({ from: range.from, to: range.to }, signal),
});

export const assetTrips = (
  api: ApiClient,
  assetId: string,
  range: InstantRange,
  signal?: AbortSignal,
): Promise<TripList> => api.call('GET /api/v1/assets/{id}/trips', segments(assetId, range, signal));
export const assetStops = (
  api: ApiClient,
  assetId: string,
  range: InstantRange,
  signal?: AbortSignal,
): Promise<StopList> => api.call('GET /api/v1/assets/{id}/stops', segments(assetId, range, signal));

/** An asset's trips or stops as a file, saved under the API's filename. */
export const downloadSegments = (
  api: ApiClient,
  kind: SegmentKind,
  assetId: string,
  range: InstantRange,
  format: ReportFile,
): Promise<DownloadedFile> =>
  api.download(SEGMENT_ENDPOINTS[kind], {
    params: { id: assetId },
    query: { from: range.from, to: range.to, format },
    filename: `${kind}-${assetId}.${format}`,
  });
