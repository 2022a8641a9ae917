// The dashboard's state as runes: GET /api/v1/dashboard now and every minute, and live where the
// hub carries the data. The open alerts are the console's alerts store (the header's badge, kept
// by the `alerts` topic); the day's jobs are read again shortly after each `jobs` frame (a frame
// says a job moved, not what the day's counts became) and after each resubscription; the vehicles
// active now are counted from the live fleet (positions frames on /fleet/latest, which the page
// loads every minute too), re-counted every half minute as fixes age past ten minutes.
import type { Dashboard } from '@fleet/api/contract';
import { NewestLoad } from '../admin/newest.ts';
import { dashboard, dayJobs } from '../api/dashboard.ts';
import { describeError } from '../api/errors.ts';
import { FleetState } from '../fleet/fleet.svelte.ts';
import type { LiveConnection } from '../live/connection.svelte.ts';
import type { Session } from '../session/session.svelte.ts';
import { activeVehicles, countDayJobs, type JobCounts } from './figures.ts';

const RELOAD_MS = 60_000;
/** Frames of several moves at once (a dispatch of a day's jobs) make one read of the day. */
const JOBS_SETTLE_MS = 300;
const CLOCK_MS = 30_000;

export class DashboardState {
  data = $state<Dashboard | undefined>();
  error = $state<string | undefined>();
  /** The day's jobs as read after the last `jobs` frame; undefined until one came. */
  jobs = $state<JobCounts | undefined>();
  /** The clock active vehicles are counted against. */
  now = $state(Date.now());

  readonly #session: Session;
  readonly #fleet: FleetState;
  readonly #load = new NewestLoad();
  readonly #jobsLoad = new NewestLoad();

  constructor(session: Session) {
    this.#session = session;
    this.#fleet = new FleetState(session);
  }

  /** Vehicles active now in the live fleet, once it has loaded. */
  get activeNow(): number | undefined {
    void this.#fleet.version;
    if (this.#fleet.loadedAt === null) return undefined;
    return activeVehicles(this.#fleet.values(), this.now);
  }

  async load(): Promise<void> {
    await this.#load.run(
      () => dashboard(this.#session.api),
      (d) => {
        this.data = d;
        this.error = undefined;
        // The answer's jobs are as new as any read before it.
        this.jobs = undefined;
      },
      (err) => {
        this.error = describeError(err);
      },
    );
  }

  async loadJobs(): Promise<void> {
    const day = this.data?.today.day;
    if (day === undefined) return;
    await this.#jobsLoad.run(
      () => dayJobs(this.#session.api, day),
      (list) => {
        this.jobs = countDayJobs(list);
      },
      // The minute's reload brings the counts again; the tile keeps what it had.
      () => undefined,
    );
  }

  /** Loads, follows the hub and reloads until the returned function is called. */
  start(live: LiveConnection): () => void {
    void this.load();
    const stopFleet = this.#fleet.keepLoaded();
    const reload = setInterval(() => void this.load(), RELOAD_MS);
    const clock = setInterval(() => (this.now = Date.now()), CLOCK_MS);
    let settle: ReturnType<typeof setTimeout> | undefined;
    const jobsMoved = () => {
      clearTimeout(settle);
      settle = setTimeout(() => void this.loadJobs(), JOBS_SETTLE_MS);
    };
    const stopListening = live.listen((frame) => {
      if (this.#fleet.apply(frame)) this.now = Date.now();
      if (frame.type === 'job') jobsMoved();
      else if (frame.type === 'subscribed' && frame.topics.includes('jobs')) jobsMoved();
    });
    live.subscribe(['jobs']);
    return () => {
      stopListening();
      live.unsubscribe(['jobs']);
      stopFleet();
      clearInterval(reload);
      clearInterval(clock);
      clearTimeout(settle);
    };
  }
}
