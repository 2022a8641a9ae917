// The demo company's projects and jobs, seeded on `npm start` into an organisation that has no
// projects yet: a commercial shoot and a festival build, with jobs today at the client sites the
// simulated vans visit (firmware-sim/src/fleet.ts: van i goes first to the company's non-depot
// place i), dispatched, so the device side's job tracker moves them en route and on site by
// themselves from the vans' telemetry; and tomorrow's planned jobs, one of them booking the van
// that is overdue for service so the board shows a conflict. Every write goes through the API's
// schemas and repositories, as a dispatcher's would.
import { Jobs, newJobSchema, newProjectSchema, Projects } from '@fleet/api';
import type { DemoCompany } from '@fleet/firmware-sim';
import type { SqlDatabase } from '@fleet/shared/db';

export interface JobCounts {
  projects: number;
  jobs: number;
}

const HOUR = 3_600_000;

interface DemoJob {
  project: 0 | 1;
  title: string;
  /** Vans by index in the company (firmware-sim/src/company.ts). */
  vans: number[];
  /** Kits by index; the first half of the kits ride in van (index) i. */
  kits: number[];
  /** Hours from now the window starts and how long it lasts. */
  startsIn: number;
  hours: number;
  dispatched: boolean;
}

/** Van i visits the company's non-depot place i first, so today's jobs are where the vans go. */
const JOBS: readonly DemoJob[] = [
  {
    project: 0,
    title: 'Commercial shoot: load-in',
    vans: [1],
    kits: [1],
    startsIn: -0.5,
    hours: 9,
    dispatched: true,
  },
  {
    project: 1,
    title: 'Stage build, day 1',
    vans: [3],
    kits: [3],
    startsIn: -0.25,
    hours: 10,
    dispatched: true,
  },
  { project: 1, title: 'Lighting rig', vans: [5], kits: [5], startsIn: 0.5, hours: 8, dispatched: true },
  {
    project: 0,
    title: 'Commercial shoot: day 2',
    vans: [4],
    kits: [4],
    startsIn: 24,
    hours: 11,
    dispatched: false,
  },
  // Van 3 (index 2) is overdue for its oil change (demo-maintenance.ts): a conflict to resolve.
  { project: 1, title: 'Sound check', vans: [2, 6], kits: [6], startsIn: 25, hours: 6, dispatched: false },
];

export async function seedJobs(
  db: SqlDatabase,
  orgId: string,
  company: DemoCompany,
  ids: {
    vans: readonly (string | undefined)[];
    kits: readonly (string | undefined)[];
    /** The driver of each van, by van index. */
    driversByVan: ReadonlyMap<number, string>;
    places: ReadonlyMap<string, string>;
  },
  now: number,
): Promise<JobCounts> {
  const counts: JobCounts = { projects: 0, jobs: 0 };
  const projects = new Projects(db, orgId);
  if ((await projects.list({ limit: 1 })).length > 0) return counts;
  const day = new Date(now).toISOString().slice(0, 10);
  const made = [
    await projects.create(
      newProjectSchema.parse({
        name: 'Fazer commercial',
        code: 'P-2026-041',
        client: 'Fazer Oy',
        budget: '48000.00',
        startsOn: day,
        notes: 'Two shoot days; the crew meets at the depot at 6:30.',
      }),
      null,
    ),
    await projects.create(
      newProjectSchema.parse({
        name: 'Helsinki Festival stage',
        code: 'P-2026-044',
        client: 'Helsingin Juhlaviikot',
        budget: '125000.00',
        startsOn: day,
      }),
      null,
    ),
  ];
  counts.projects = made.length;
  const sites = company.places.filter((p) => p.category !== 'depot');
  const jobs = new Jobs(db, orgId);
  for (const j of JOBS) {
    const site = sites[(j.vans[0] as number) % sites.length];
    const placeId = site ? ids.places.get(site.name) : undefined;
    const vans = j.vans.map((i) => ids.vans[i]).filter((id): id is string => id !== undefined);
    if (!placeId || vans.length !== j.vans.length) continue;
    const kits = j.kits.map((i) => ids.kits[i]).filter((id): id is string => id !== undefined);
    const crew = j.vans.flatMap((i) => {
      const driverId = ids.driversByVan.get(i);
      const vehicleId = ids.vans[i];
      return driverId && vehicleId ? [{ driverId, role: 'driver', vehicleId }] : [];
    });
    const start = Math.round((now + j.startsIn * HOUR) / 60_000) * 60_000;
    const { job } = await jobs.create(
      newJobSchema.parse({
        title: `${j.title} at ${site?.name}`,
        projectId: made[j.project]?.id,
        placeId,
        startsAt: new Date(start).toISOString(),
        endsAt: new Date(start + j.hours * HOUR).toISOString(),
        assetIds: [...vans, ...kits],
        crew,
      }),
      null,
    );
    counts.jobs++;
    if (j.dispatched) await jobs.transition(job.id, 'dispatched', { override: true }, null);
  }
  return counts;
}
