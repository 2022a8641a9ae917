// The costs routes as the console calls them: fuel entries (by hand, a fuel card's CSV file,
// refuels the rule engine saw and a person confirms), other costs of an asset or a department,
// an asset's figures (total cost of ownership over a range, life to date, month by month) and
// the costs per asset or department. Their shapes are the contract's (api/src/contract.ts lists
// these routes with their zod schemas), so this module only names the calls and builds the
// query strings the API reads. The constants the forms check before sending are the API's,
// written here because its schemas module brings zod at run time;
// web/test/costs-endpoints.test.ts checks them equal.
import type {
  AssetCosts,
  ConfirmRefuel,
  CostEntry,
  CostSummary,
  FuelEntry,
  NewCostEntry,
  NewFuelEntry,
  RefuelSuggestion,
} from '@fleet/api/contract';
import type { ApiClient } from './client.ts';

/** The form's choices, in the API's order (one list: @fleet/shared/cost-categories, zod-free). */
export { COST_CATEGORIES } from '@fleet/shared/cost-categories';

/** Limits of the API's schemas the forms check as it does. */
export const COST_LIMITS = {
  /** Litres of one fill-up. */
  maxLitres: 5000,
  station: 200,
  fuelNote: 1000,
  costDescription: 500,
  /** The lists answer at most this many entries (the newest). */
  listMax: 5000,
} as const;

/** A range of calendar days in the organisation's zone; empty: the API's default (a year to today). */
export interface RangeQuery {
  from?: string;
  to?: string;
}

export interface EntryQuery extends RangeQuery {
  assetId?: string;
}

const text = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);

/** The query string the API reads, empty filters left out (the API refuses an empty date). */
export function entryParams(query: EntryQuery): Record<string, string | undefined> {
  return { assetId: text(query.assetId), from: text(query.from), to: text(query.to) };
}

export const rangeParams = (range: RangeQuery): Record<string, string | undefined> => ({
  from: text(range.from),
  to: text(range.to),
});

const id = (value: string) => ({ params: { id: value } });
const withSignal = (signal: AbortSignal | undefined) => (signal ? { signal } : {});

export const fuelEntries = async (
  api: ApiClient,
  query: EntryQuery,
  signal?: AbortSignal,
): Promise<FuelEntry[]> =>
  (await api.call('GET /api/v1/fuel-entries', { query: entryParams(query), ...withSignal(signal) })).items;
export const createFuelEntry = (api: ApiClient, body: NewFuelEntry): Promise<FuelEntry> =>
  api.call('POST /api/v1/fuel-entries', { body });
export const removeFuelEntry = async (api: ApiClient, entryId: string): Promise<void> => {
  await api.call('DELETE /api/v1/fuel-entries/{id}', id(entryId));
};
export const refuelSuggestions = async (api: ApiClient): Promise<RefuelSuggestion[]> =>
  (await api.call('GET /api/v1/fuel-entries/suggestions')).items;
/** A refuel alert entered as a fill-up: its time and measured litres, the amount paid. 409 once done. */
export const confirmRefuel = (api: ApiClient, alertId: string, body: ConfirmRefuel): Promise<FuelEntry> =>
  api.call('POST /api/v1/alerts/{id}/fuel-entry', { ...id(alertId), body });

export const costEntries = async (
  api: ApiClient,
  query: EntryQuery,
  signal?: AbortSignal,
): Promise<CostEntry[]> =>
  (await api.call('GET /api/v1/cost-entries', { query: entryParams(query), ...withSignal(signal) })).items;
export const createCostEntry = (api: ApiClient, body: NewCostEntry): Promise<CostEntry> =>
  api.call('POST /api/v1/cost-entries', { body });
export const removeCostEntry = async (api: ApiClient, entryId: string): Promise<void> => {
  await api.call('DELETE /api/v1/cost-entries/{id}', id(entryId));
};

export const assetCosts = (
  api: ApiClient,
  assetId: string,
  range: RangeQuery,
  signal?: AbortSignal,
): Promise<AssetCosts> =>
  api.call('GET /api/v1/assets/{id}/costs', {
    ...id(assetId),
    query: rangeParams(range),
    ...withSignal(signal),
  });
export const costSummary = (
  api: ApiClient,
  groupBy: CostSummary['groupBy'],
  range: RangeQuery,
  signal?: AbortSignal,
): Promise<CostSummary> =>
  api.call('GET /api/v1/costs/summary', {
    query: { groupBy, ...rangeParams(range) },
    ...withSignal(signal),
  });
