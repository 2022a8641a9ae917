// Jobs running late without a network: which jobs open a job_late alert (an ETA past the
// window's start by more than the grace, or a van that has not left by then), which do not
// (on time, within the grace, on site, no covering rule, another department), and the clears
// (arrived, or back on time).
import type { PlaceShape } from '@fleet/shared/geo';
import { describe, expect, it } from 'vitest';
import {
  evaluateLateness,
  type JobLateRule,
  type LatenessInput,
  lateEpisodeKey,
} from '../../src/jobs/lateness.ts';
import type { JobEta, TrackedJob } from '../../src/jobs/tracker.ts';
import type { AssetInfo } from '../../src/rules/types.ts';

const SITE: PlaceShape = {
  kind: 'circle',
  center: { lat: 60.21, lon: 24.9 },
  radiusM: 150,
  bbox: { minLat: 60.2, maxLat: 60.22, minLon: 24.89, maxLon: 24.91 },
};
const T0 = Date.UTC(2026, 11, 3, 6);
const MIN = 60_000;
const VAN: AssetInfo = {
  id: 'van-1',
  kind: 'vehicle',
  name: 'Van 1',
  plate: 'ABC-123',
  departmentId: 'dep-south',
  speedLimitKmh: null,
  offlineAfterS: null,
  tankCapacityL: null,
  odometerOffsetKm: 0,
  engineHoursOffset: 0,
};

function job(extra: Partial<TrackedJob> = {}): TrackedJob {
  return {
    id: 'job-1',
    orgId: 'org-a',
    number: 7,
    title: 'Shoot',
    state: 'en_route',
    startsAt: T0,
    endsAt: T0 + 600 * MIN,
    placeId: 'site-1',
    site: SITE,
    vehicles: [{ assetId: 'van-1', deviceIds: ['dev-1'], depot: null }],
    ...extra,
  };
}
function rule(extra: Partial<JobLateRule> = {}): JobLateRule {
  return {
    id: 'rule-1',
    orgId: 'org-a',
    name: 'Late for a job',
    kind: 'job_late',
    severity: 'warning',
    enabled: true,
    params: { graceMin: 10 },
    scope: { departmentIds: [], assetIds: [], placeIds: [], placeCategories: [] },
    schedule: undefined,
    ...extra,
  } as JobLateRule;
}
const eta = (etaAt: number): JobEta => ({
  job: job(),
  assetId: 'van-1',
  etaAt,
  distanceKm: 12.34,
  at: T0 - 30 * MIN,
});

function input(extra: Partial<LatenessInput> = {}): LatenessInput {
  return {
    orgId: 'org-a',
    jobs: [job()],
    etaOf: () => undefined,
    rules: [rule()],
    assetOf: (deviceId) => (deviceId === 'dev-1' ? VAN : undefined),
    departmentPath: (id) => (id === null ? [] : [id, 'dep-all']),
    known: new Set(),
    now: T0 - 30 * MIN,
    ...extra,
  };
}
const KEY = lateEpisodeKey('rule-1', 'job-1');

describe('jobs running late', () => {
  it('opens one alert when the ETA passes the start by more than the grace, with the job and ETA', () => {
    const { signals, active } = evaluateLateness(input({ etaOf: () => eta(T0 + 25 * MIN) }));
    expect([...active]).toEqual([KEY]);
    expect(signals).toHaveLength(1);
    const open = signals[0];
    if (open?.type !== 'open') throw new Error('expected an open signal');
    expect(open).toMatchObject({
      episodeKey: KEY,
      deviceId: 'dev-1',
      placeId: 'site-1',
      severity: 'warning',
    });
    expect(open.title).toBe('JOB-7 Shoot running late: Van 1 (ABC-123) expected 25 min after the start');
    expect(open.details).toMatchObject({
      jobId: 'job-1',
      etaAt: new Date(T0 + 25 * MIN).toISOString(),
      distanceKm: 12.3,
      lateByMin: 25,
    });
    // Known already: nothing again.
    expect(evaluateLateness(input({ etaOf: () => eta(T0 + 25 * MIN), known: active })).signals).toEqual([]);
  });

  it('leaves a job on time or within the grace alone', () => {
    expect(evaluateLateness(input({ etaOf: () => eta(T0 - 5 * MIN) })).signals).toEqual([]);
    expect(evaluateLateness(input({ etaOf: () => eta(T0 + 10 * MIN) })).signals).toEqual([]);
    // A grace of 0: a minute late is late.
    const strict = input({ etaOf: () => eta(T0 + MIN), rules: [rule({ params: { graceMin: 0 } })] });
    expect(evaluateLateness(strict).active.size).toBe(1);
  });

  it('counts a van that has not left, or sent nothing since, as expected no earlier than now', () => {
    const waiting = input({ jobs: [job({ state: 'dispatched' })], now: T0 + 11 * MIN });
    const [open] = evaluateLateness(waiting).signals;
    expect(open?.type === 'open' && open.title).toBe(
      'JOB-7 Shoot running late: Van 1 (ABC-123) has not left 11 min after the start',
    );
    expect(evaluateLateness({ ...waiting, now: T0 + 9 * MIN }).signals).toEqual([]);
    // En route with an old ETA that has passed: still late while it is not there.
    const stale = input({ etaOf: () => eta(T0 - 20 * MIN), now: T0 + 15 * MIN });
    expect(evaluateLateness(stale).active.has(KEY)).toBe(true);
  });

  it('clears the alert on arrival and when the ETA comes back within the grace', () => {
    const known = new Set([KEY]);
    for (const case_ of [
      input({ jobs: [job({ state: 'on_site' })], known, now: T0 + 30 * MIN }),
      input({ jobs: [], known, now: T0 + 30 * MIN }),
      input({ etaOf: () => eta(T0 + 2 * MIN), known }),
    ]) {
      const { signals, active } = evaluateLateness(case_);
      expect(active.size).toBe(0);
      expect(signals).toEqual([
        { type: 'clear', orgId: 'org-a', episodeKey: KEY, endedAt: case_.now, details: {} },
      ]);
    }
  });

  it('follows the rule’s scope and needs a vehicle with a device', () => {
    const late = { etaOf: () => eta(T0 + 40 * MIN) };
    const elsewhere = rule({
      scope: { departmentIds: ['dep-north'], assetIds: [], placeIds: [], placeCategories: [] },
    });
    expect(evaluateLateness(input({ ...late, rules: [elsewhere] })).signals).toEqual([]);
    const parent = rule({
      scope: { departmentIds: ['dep-all'], assetIds: [], placeIds: [], placeCategories: [] },
    });
    expect(evaluateLateness(input({ ...late, rules: [parent] })).active.size).toBe(1);
    expect(evaluateLateness(input({ ...late, assetOf: () => undefined })).signals).toEqual([]);
    expect(evaluateLateness(input({ ...late, rules: [] })).signals).toEqual([]);
  });
});
