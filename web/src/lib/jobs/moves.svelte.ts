// Moving jobs on from the board's cards and the job's page, as runes: a move on its way, the
// error of each job's last one, and the two questions a move may ask (MoveDialogs.svelte): a
// dispatch the API refused over conflicts (409 listing them) is asked again as "dispatch
// anyway" with `override`, and cancelling asks why and to be sure.
import type { Job, JobTransition } from '@fleet/api/contract';
import type { ApiClient } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import { dispatchRefusal, type JobAction, type RefusedConflict } from './actions.ts';

export class JobMover {
  /** The job a move is on its way for. */
  busy = $state<string | undefined>();
  /** The last move's refusal, by job id, shown at the job. */
  errors = $state<Record<string, string>>({});
  refused = $state<{ job: Job; conflicts: RefusedConflict[] } | undefined>();
  overrideOpen = $state(false);
  cancelling = $state<Job | undefined>();
  cancelOpen = $state(false);
  reason = $state('');

  readonly #api: ApiClient;
  readonly #moved: (job: Job) => void;

  /** `moved` gets each job as the API answered a move. */
  constructor(api: ApiClient, moved: (job: Job) => void) {
    this.#api = api;
    this.#moved = moved;
  }

  async press(job: Job, action: JobAction): Promise<void> {
    this.#error(job.id, undefined);
    if (action.asks === 'reason') {
      this.cancelling = job;
      this.reason = '';
      this.cancelOpen = true;
      return;
    }
    this.busy = job.id;
    try {
      await this.#move(job, { state: action.to });
    } catch (err) {
      const conflicts = action.to === 'dispatched' ? dispatchRefusal(err) : undefined;
      if (conflicts) {
        this.refused = { job, conflicts };
        this.overrideOpen = true;
      } else this.#error(job.id, describeError(err));
    } finally {
      this.busy = undefined;
    }
  }

  /** The dialog's confirmation: throws for the dialog to show. */
  async dispatchAnyway(): Promise<void> {
    if (this.refused) await this.#move(this.refused.job, { state: 'dispatched', override: true });
  }

  async cancel(): Promise<void> {
    if (!this.cancelling) return;
    const why = this.reason.trim();
    await this.#move(this.cancelling, { state: 'cancelled', ...(why === '' ? {} : { reason: why }) });
  }

  async #move(job: Job, body: JobTransition): Promise<void> {
    const moved = await this.#api.call('POST /api/v1/jobs/{id}/state', { params: { id: job.id }, body });
    this.#error(job.id, undefined);
    this.#moved(moved);
  }

  #error(id: string, message: string | undefined) {
    const others = Object.fromEntries(Object.entries(this.errors).filter(([k]) => k !== id));
    this.errors = message === undefined ? others : { ...others, [id]: message };
  }
}
