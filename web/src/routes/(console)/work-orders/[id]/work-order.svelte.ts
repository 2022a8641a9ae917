// The state of one work order's page: the work order, its asset's meters (to prefill the
// completion) and its history, each loaded (and failing) on its own. Every change answers the
// whole work order, which replaces the one shown (lines' totals are the server's), and the
// history is read again after it.
import type { AssetMeters, WorkOrder, WorkOrderHistoryEntry } from '@fleet/api/contract';
import type { ApiClient } from '#lib/api/client.ts';
import { ApiRequestError, describeError } from '#lib/api/errors.ts';
import { assetMeters, workOrder, workOrderHistory } from '#lib/api/maintenance.ts';

export class WorkOrderDetail {
  readonly id: string;
  wo = $state<WorkOrder | undefined>();
  /** No such work order here (or an id that cannot be one: the API's 400 on the path). */
  missing = $state(false);
  error = $state<string | undefined>();
  meters = $state<AssetMeters | undefined>();
  history = $state<WorkOrderHistoryEntry[]>([]);
  historyError = $state<string | undefined>();
  /** What the page is doing now ('state', 'task:<id>', 'line', ...): its buttons wait. */
  busy = $state<string | undefined>();
  /** The last change's refusal, for changes without a form of their own to show it. */
  actionError = $state<string | undefined>();
  notice = $state<string | undefined>();
  readonly #api: ApiClient;

  constructor(id: string, api: ApiClient) {
    this.id = id;
    this.#api = api;
  }

  async load(): Promise<void> {
    try {
      this.wo = await workOrder(this.#api, this.id);
      this.error = undefined;
    } catch (err) {
      if (err instanceof ApiRequestError && (err.status === 404 || err.status === 400)) this.missing = true;
      else this.error = describeError(err);
      return;
    }
    await Promise.all([this.loadMeters(), this.loadHistory()]);
  }

  async loadMeters(): Promise<void> {
    if (!this.wo) return;
    try {
      this.meters = await assetMeters(this.#api, this.wo.asset.id);
    } catch {
      // The completion form is then empty: the API uses the asset's meters itself.
    }
  }

  async loadHistory(): Promise<void> {
    try {
      this.history = await workOrderHistory(this.#api, this.id);
      this.historyError = undefined;
    } catch (err) {
      this.historyError = describeError(err);
    }
  }

  /**
   * Runs a change that answers the work order and shows the answer. Resolves to the refusal, if
   * any, for a form to place at its fields; `notice` says what was done.
   */
  async change(what: string, run: () => Promise<WorkOrder>, done?: string): Promise<unknown> {
    this.busy = what;
    this.actionError = undefined;
    this.notice = undefined;
    try {
      this.wo = await run();
      if (done !== undefined) this.notice = done;
      void this.loadHistory();
      return undefined;
    } catch (err) {
      return err;
    } finally {
      this.busy = undefined;
    }
  }

  /** A change whose refusal is shown at the top of the page. */
  async act(what: string, run: () => Promise<WorkOrder>, done?: string): Promise<boolean> {
    const err = await this.change(what, run, done);
    if (err !== undefined) this.actionError = describeError(err);
    return err === undefined;
  }
}
