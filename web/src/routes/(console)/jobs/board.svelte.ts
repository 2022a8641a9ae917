// The job board's state as runes: every job of one day (the project filter and the cancelled
// toggle are the page's, so the booking panel always sees the whole day's bookings), kept
// current by the hub's `jobs` topic. A frame reads its job again when it is on the board or new
// (a card moves column when telemetry moves it en route or on site), and the jobs whose
// conflicts it may change (a cancelled job frees its van; a new one double-books it); a
// resubscription after a reconnect reads the whole day again, since frames may have been
// missed. Jobs read while a day's load is on its way are laid over its answer, so an older list
// never undoes a newer move.
import type { Job } from '@fleet/api/contract';
import type { JobChange } from '@fleet/shared/jobs';
import { NewestLoad } from '#lib/admin/newest.ts';
import type { ApiClient } from '#lib/api/client.ts';
import { ApiRequestError, describeError } from '#lib/api/errors.ts';
import { affectedJobs, dayWindow, upsertJob } from '#lib/jobs/board.ts';
import type { LiveConnection } from '#lib/live/connection.svelte.ts';

/** One day is far below this; more says `truncated` and the page says so. */
const DAY_LIMIT = 1000;
/** How long a card moved by a frame stays marked. */
const MOVED_MS = 4000;

export class JobBoard {
  jobs = $state<Job[]>([]);
  truncated = $state(false);
  loaded = $state(false);
  error = $state<string | undefined>();
  /** Jobs a hub frame moved lately, by id: how (a person elsewhere, or telemetry). */
  moved = $state<Record<string, JobChange['source']>>({});

  readonly #api: ApiClient;
  readonly #newest = new NewestLoad();
  #day = '';
  #timeZone = 'UTC';
  /** Jobs read again while the day's load was on its way (undefined: none is). */
  #fresh: Map<string, Job | null> | undefined;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async load(day: string, timeZone: string): Promise<void> {
    this.#day = day;
    this.#timeZone = timeZone;
    const fresh = new Map<string, Job | null>();
    this.#fresh = fresh;
    await this.#newest.run(
      () => this.#api.call('GET /api/v1/jobs', { query: { day, limit: DAY_LIMIT } }),
      (answer) => {
        let jobs = answer.items;
        for (const [id, job] of fresh)
          jobs = job === null ? jobs.filter((j) => j.id !== id) : this.#placed(jobs, job);
        this.jobs = jobs;
        this.truncated = answer.truncated;
        this.error = undefined;
        this.loaded = true;
      },
      (err) => {
        this.error = describeError(err);
        this.loaded = true;
      },
    );
    if (this.#fresh === fresh) this.#fresh = undefined;
  }

  /** A job as the API answered it (after a move or an edit here), on the board if it is of the day. */
  put(job: Job): void {
    this.#fresh?.set(job.id, job);
    this.jobs = this.#placed(this.jobs, job);
  }

  /** Reads one job again; gone (404) or off the day, it leaves the board. */
  async refresh(id: string): Promise<Job | undefined> {
    try {
      const job = await this.#api.call('GET /api/v1/jobs/{id}', { params: { id } });
      this.put(job);
      return job;
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 404) {
        this.#fresh?.set(id, null);
        this.jobs = this.jobs.filter((j) => j.id !== id);
      } else this.error = describeError(err);
      return undefined;
    }
  }

  /** After `job` changed: the other jobs whose conflicts name it or who share its bookings, read again. */
  async refreshAffected(job: Pick<Job, 'id' | 'assets' | 'crew'>): Promise<void> {
    await Promise.all(affectedJobs(this.jobs, job).map((id) => this.refresh(id)));
  }

  /** Follows the hub's `jobs` topic until the returned function is called. */
  follow(live: LiveConnection): () => void {
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const stop = live.listen((frame) => {
      if (frame.type === 'subscribed' && frame.topics.includes('jobs'))
        void this.load(this.#day, this.#timeZone);
      else if (frame.type === 'job') void this.#onChange(frame.change, timers);
    });
    live.subscribe(['jobs']);
    return () => {
      stop();
      live.unsubscribe(['jobs']);
      for (const t of timers) clearTimeout(t);
    };
  }

  async #onChange(change: JobChange, timers: Set<ReturnType<typeof setTimeout>>): Promise<void> {
    const before = this.jobs.find((j) => j.id === change.jobId);
    // A move never changes a job's window: one not on this day's board comes onto it only when
    // new (unless the day's list is on its way, and may not have it yet).
    if (before === undefined && change.from !== null && this.#fresh === undefined) return;
    const job = await this.refresh(change.jobId);
    if (job && before && before.state !== job.state) {
      this.moved = { ...this.moved, [job.id]: change.source };
      const t = setTimeout(() => {
        timers.delete(t);
        this.moved = Object.fromEntries(Object.entries(this.moved).filter(([id]) => id !== job.id));
      }, MOVED_MS);
      timers.add(t);
    }
    // Only a new booking or one that ends (completed, cancelled) changes what others conflict with.
    const touched = job ?? before;
    if (touched && (change.from === null || change.to === 'completed' || change.to === 'cancelled'))
      await this.refreshAffected(touched);
  }

  #placed(jobs: readonly Job[], job: Job): Job[] {
    const { from, to } = dayWindow(this.#day, this.#timeZone);
    const onDay = Date.parse(job.startsAt) < to && Date.parse(job.endsAt) > from;
    return onDay ? upsertJob(jobs, job) : jobs.filter((j) => j.id !== job.id);
  }
}
