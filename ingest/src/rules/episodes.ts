// One condition of one rule on one device, from the observations of its records to alert
// episodes: idle -> pending (holding, not yet for long enough) -> open (the alert is raised,
// once) -> clearing (not holding, not yet for long enough) -> idle (the alert resolves). A
// condition that comes back while clearing continues the same alert: no storm of duplicates
// while a value hovers at its limit. Pure: device times in, signals out; plain JSON state, so
// the engine can checkpoint it and pick it up after a restart.
import type { LatLon } from '@fleet/shared/geo';
import type { AlertDetails } from './types.ts';

export interface EpisodeState {
  phase: 'pending' | 'open';
  /** Device time the condition began holding. */
  since: number;
  /** Device time of the newest observation. */
  lastAt: number;
  onsetMs: number;
  clearMs: number;
  /**
   * Whether the condition may be taken to go on holding while the device is quiet, so that the
   * engine's tick can open it (being at a place: a parked tag reports every 15 min). Otherwise
   * only a record can: a van that goes quiet 5 s into a speeding run has not sped for 30 s.
   * Absent in states checkpointed before this existed: false.
   */
  holdsWhileQuiet?: boolean;
  /** Open: device time it stopped holding, while it waits for clearMs. */
  clearingSince: number | null;
  details: AlertDetails;
  title: string | null;
  placeId: string | null;
  position: LatLon | null;
}

export interface ObservedCondition {
  active: boolean;
  at: number;
  onsetMs?: number | undefined;
  clearMs?: number | undefined;
  holdsWhileQuiet?: boolean | undefined;
  title?: string | undefined;
  details?: AlertDetails | undefined;
  placeId?: string | undefined;
  position?: LatLon | undefined;
}

export type EpisodeEvent =
  | { type: 'open'; since: number; state: EpisodeState }
  | { type: 'update'; since: number; details: AlertDetails }
  | { type: 'clear'; since: number; endedAt: number; details: AlertDetails };

export interface EpisodeStep {
  state: EpisodeState | undefined;
  events: EpisodeEvent[];
}

type Merge = (previous: AlertDetails, next: AlertDetails) => AlertDetails;
const replace: Merge = (previous, next) => ({ ...previous, ...next });

function sameDetails(a: AlertDetails, b: AlertDetails): boolean {
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}

/** Applies one observation (device times must not go backwards; the engine skips older records). */
export function observe(
  state: EpisodeState | undefined,
  obs: ObservedCondition,
  merge: Merge = replace,
): EpisodeStep {
  const onsetMs = obs.onsetMs ?? 0;
  const clearMs = obs.clearMs ?? 0;
  if (!state) {
    if (!obs.active) return { state: undefined, events: [] };
    const pending: EpisodeState = {
      phase: 'pending',
      since: obs.at,
      lastAt: obs.at,
      onsetMs,
      clearMs,
      holdsWhileQuiet: obs.holdsWhileQuiet === true,
      clearingSince: null,
      details: obs.details ?? {},
      title: obs.title ?? null,
      placeId: obs.placeId ?? null,
      position: obs.position ?? null,
    };
    return promote(pending);
  }
  if (state.phase === 'pending') {
    if (!obs.active) return { state: undefined, events: [] };
    const next: EpisodeState = {
      ...state,
      lastAt: obs.at,
      onsetMs,
      clearMs,
      details: merge(state.details, obs.details ?? {}),
      title: obs.title ?? state.title,
      position: state.position ?? obs.position ?? null,
    };
    return promote(next);
  }
  // open
  if (obs.active) {
    const details = merge(state.details, obs.details ?? {});
    const next: EpisodeState = { ...state, lastAt: obs.at, clearMs, clearingSince: null, details };
    return {
      state: next,
      events: sameDetails(state.details, details) ? [] : [{ type: 'update', since: state.since, details }],
    };
  }
  const clearingSince = state.clearingSince ?? obs.at;
  const next: EpisodeState = { ...state, lastAt: obs.at, clearMs, clearingSince };
  return settle(next, obs.at);
}

/** Time passes with no observation (a tick): a pending condition may open, a clearing one resolve. */
export function advance(state: EpisodeState | undefined, deviceNow: number): EpisodeStep {
  if (!state) return { state, events: [] };
  if (state.phase === 'pending') {
    if (state.holdsWhileQuiet === true && deviceNow - state.since >= state.onsetMs && state.onsetMs > 0) {
      // It held until its last observation; no newer one said otherwise.
      return promote({ ...state, lastAt: Math.max(state.lastAt, state.since + state.onsetMs) });
    }
    return { state, events: [] };
  }
  if (state.clearingSince === null) return { state, events: [] };
  return settle(state, deviceNow);
}

function promote(state: EpisodeState): EpisodeStep {
  if (state.lastAt - state.since < state.onsetMs) return { state, events: [] };
  const open: EpisodeState = { ...state, phase: 'open' };
  return { state: open, events: [{ type: 'open', since: state.since, state: open }] };
}

function settle(state: EpisodeState, at: number): EpisodeStep {
  const clearingSince = state.clearingSince ?? at;
  if (at - clearingSince < state.clearMs) return { state, events: [] };
  return {
    state: undefined,
    events: [{ type: 'clear', since: state.since, endedAt: clearingSince, details: state.details }],
  };
}
