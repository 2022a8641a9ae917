// Jobs running late, as alerts (the `job_late` rule kind): a dispatched or en-route job whose
// first vehicle is expected at the site later than the rule's grace after the window's start.
// Expected means its ETA, and never earlier than now: a van that has not left, or has sent no
// fix since, cannot arrive in the past. One episode per rule and job, opened once, cleared when
// the vehicle arrives (the job leaves dispatched and en route) or the ETA comes back within the
// grace. Pure: the job service (service.ts) gives it the jobs and ETAs and writes the signals
// through the rule engine's alert writer, as the maintenance monitor does for service_due.
import type { RuleDefinition } from '@fleet/shared';
import { jobReference } from '@fleet/shared/jobs';
import { ruleCovers } from '../rules/directory.ts';
import type { AlertSignal, AssetInfo } from '../rules/types.ts';
import type { JobEta, TrackedJob } from './tracker.ts';

export type JobLateRule = RuleDefinition<'job_late'>;

export interface LatenessInput {
  orgId: string;
  jobs: readonly TrackedJob[];
  etaOf(jobId: string): JobEta | undefined;
  rules: readonly JobLateRule[];
  /** The asset a device is installed on now. */
  assetOf(deviceId: string): AssetInfo | undefined;
  departmentPath(departmentId: string | null): readonly string[];
  /** Episode keys of the organisation's active job_late alerts. */
  known: ReadonlySet<string>;
  now: number;
}

export interface LatenessEvaluation {
  signals: AlertSignal[];
  /** The episode keys that are active after the signals. */
  active: Set<string>;
}

const MIN = 60_000;

export function lateEpisodeKey(ruleId: string, jobId: string): string {
  return `job_late:${ruleId}:${jobId}`;
}

/** The vehicle the job waits for: the one with the estimate, else the first booked one with a device. */
function vehicleOf(
  job: TrackedJob,
  eta: JobEta | undefined,
  assetOf: LatenessInput['assetOf'],
): { deviceId: string; asset: AssetInfo } | undefined {
  const vehicles = eta ? job.vehicles.filter((v) => v.assetId === eta.assetId) : job.vehicles;
  for (const v of [...vehicles, ...job.vehicles])
    for (const deviceId of v.deviceIds) {
      const asset = assetOf(deviceId);
      if (asset) return { deviceId, asset };
    }
  return undefined;
}

export function evaluateLateness(input: LatenessInput): LatenessEvaluation {
  const signals: AlertSignal[] = [];
  const active = new Set<string>();
  if (input.rules.length > 0)
    for (const job of input.jobs) {
      if (job.state !== 'dispatched' && job.state !== 'en_route') continue;
      const eta = job.state === 'en_route' ? input.etaOf(job.id) : undefined;
      const expected = Math.max(input.now, eta?.etaAt ?? input.now);
      const vehicle = vehicleOf(job, eta, input.assetOf);
      if (!vehicle) continue;
      const path = input.departmentPath(vehicle.asset.departmentId);
      const lateByMs = expected - job.startsAt;
      for (const rule of input.rules) {
        if (lateByMs <= rule.params.graceMin * MIN) continue;
        if (!ruleCovers(rule, vehicle.asset, path)) continue;
        const key = lateEpisodeKey(rule.id, job.id);
        active.add(key);
        if (input.known.has(key)) continue;
        const reference = jobReference(job.number);
        const label = vehicle.asset.plate
          ? `${vehicle.asset.name} (${vehicle.asset.plate})`
          : vehicle.asset.name;
        const minutes = Math.round(lateByMs / MIN);
        signals.push({
          type: 'open',
          episodeKey: key,
          rule,
          deviceId: vehicle.deviceId,
          asset: vehicle.asset,
          severity: rule.severity,
          title: `${reference} ${job.title} running late: ${label} ${
            job.state === 'dispatched' ? 'has not left' : 'expected'
          } ${minutes} min after the start`,
          startedAt: input.now,
          active: true,
          late: false,
          details: {
            jobId: job.id,
            reference,
            state: job.state,
            startsAt: new Date(job.startsAt).toISOString(),
            etaAt: eta ? new Date(eta.etaAt).toISOString() : null,
            distanceKm: eta ? Math.round(eta.distanceKm * 10) / 10 : null,
            lateByMin: minutes,
          },
          placeId: job.placeId,
          position: undefined,
        });
      }
    }
  for (const key of input.known)
    if (!active.has(key))
      signals.push({ type: 'clear', orgId: input.orgId, episodeKey: key, endedAt: input.now, details: {} });
  return { signals, active };
}
