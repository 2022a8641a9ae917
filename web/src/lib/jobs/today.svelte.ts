// Today's unfinished jobs and their sites, as runes, for the live map: the organisation's day
// read from GET /jobs?day= (the day taken anew at each read, so a console left open overnight
// moves on to the next), each job's place read once (sites rarely move; a reload of the page
// reads them again). Kept current by the hub's `jobs` topic: frames come in bursts when
// telemetry moves several jobs, so one read follows the first frame by FRAME_DELAY_MS and
// covers the rest; the whole day is read again after every (re)subscription, since frames may
// have been missed, and every REFRESH_MS for the ETAs, which the job tracker updates without a
// frame.
import type { Job } from '@fleet/api/contract';
import { localDay } from '@fleet/shared/time-zone';
import { NewestLoad } from '../admin/newest.ts';
import type { ApiClient } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import type { Place } from '../api/management.ts';
import type { LiveConnection } from '../live/connection.svelte.ts';
import { todaysJobs } from '../map/jobs-layer.ts';

/** One day is far below this (the board asks the same). */
const DAY_LIMIT = 1000;
/** The job tracker estimates every half minute (ingest/src/jobs/). */
export const REFRESH_MS = 30_000;
const FRAME_DELAY_MS = 400;

export class TodaysJobs {
  /** Today's unfinished jobs, earliest first. */
  jobs = $state.raw<Job[]>([]);
  /** Their places by id (a place that could not be read is missing: its jobs are not drawn). */
  places = $state.raw<ReadonlyMap<string, Place>>(new Map());
  day = $state('');
  loaded = $state(false);
  error = $state<string | undefined>();

  readonly #api: ApiClient;
  readonly #timeZone: () => string;
  readonly #newest = new NewestLoad();
  /** Places read (null: refused or gone; not asked again on this page). */
  readonly #placeCache = new Map<string, Place | null>();

  constructor(api: ApiClient, timeZone: () => string) {
    this.#api = api;
    this.#timeZone = timeZone;
  }

  async load(): Promise<void> {
    const timeZone = this.#timeZone();
    const day = localDay(Date.now(), timeZone);
    await this.#newest.run(
      async () => {
        const answer = await this.#api.call('GET /api/v1/jobs', { query: { day, limit: DAY_LIMIT } });
        const jobs = todaysJobs(answer.items, day, timeZone);
        await this.#readPlaces(jobs.map((j) => j.place.id));
        return jobs;
      },
      (jobs) => {
        const places = new Map<string, Place>();
        for (const j of jobs) {
          const p = this.#placeCache.get(j.place.id);
          if (p) places.set(p.id, p);
        }
        // Sites and jobs together, so a drawing never has one without the other.
        this.places = places;
        this.jobs = jobs;
        this.day = day;
        this.error = undefined;
        this.loaded = true;
      },
      (err) => {
        this.error = describeError(err);
        this.loaded = true;
      },
    );
  }

  /** Loads now, follows the hub's `jobs` topic and reads again every REFRESH_MS until the returned function is called. */
  follow(live: LiveConnection): () => void {
    let pending: ReturnType<typeof setTimeout> | undefined;
    const soon = () => {
      pending ??= setTimeout(() => {
        pending = undefined;
        void this.load();
      }, FRAME_DELAY_MS);
    };
    const stop = live.listen((frame) => {
      if (frame.type === 'subscribed' && frame.topics.includes('jobs')) void this.load();
      else if (frame.type === 'job') soon();
    });
    live.subscribe(['jobs']);
    void this.load();
    const timer = setInterval(() => void this.load(), REFRESH_MS);
    return () => {
      stop();
      live.unsubscribe(['jobs']);
      clearTimeout(pending);
      clearInterval(timer);
    };
  }

  async #readPlaces(ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.#placeCache.has(id));
    await Promise.all(
      missing.map((id) =>
        this.#api
          .call('GET /api/v1/places/{id}', { params: { id } })
          .then((p) => this.#placeCache.set(id, p))
          .catch(() => this.#placeCache.set(id, null)),
      ),
    );
  }
}
