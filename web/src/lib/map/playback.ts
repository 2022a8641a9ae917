// History playback: a track (points in device-time order) and a clock that moves through it at a
// chosen speed. The position at any time is interpolated between the two fixes around it, so the
// marker moves smoothly along the drawn track; the scrubber maps time to a 0..1 fraction.
import { headingDelta } from './interpolate.ts';

export interface TrackPoint {
  ts: number;
  lon: number;
  lat: number;
  speedKmh: number | null;
  headingDeg: number | null;
}

export const PLAYBACK_SPEEDS = [1, 2, 5, 10, 30, 60, 120, 300] as const;
export type PlaybackSpeed = (typeof PLAYBACK_SPEEDS)[number];

export interface PlaybackPose {
  ts: number;
  lon: number;
  lat: number;
  heading: number;
  speedKmh: number | null;
  /** Index of the fix at or before ts. */
  index: number;
}

export class PlaybackTrack {
  readonly points: readonly TrackPoint[];

  constructor(points: readonly TrackPoint[]) {
    if (points.length === 0) throw new Error('a playback needs at least one point');
    for (let i = 1; i < points.length; i++)
      if ((points[i] as TrackPoint).ts < (points[i - 1] as TrackPoint).ts)
        throw new Error('track points must be in device-time order');
    this.points = points;
  }

  get startTs(): number {
    return (this.points[0] as TrackPoint).ts;
  }

  get endTs(): number {
    return (this.points.at(-1) as TrackPoint).ts;
  }

  /** Index of the last point with ts <= t (0 before the start). */
  indexAt(t: number): number {
    let lo = 0;
    let hi = this.points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.points[mid] as TrackPoint).ts <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  poseAt(t: number): PlaybackPose {
    const ts = Math.min(this.endTs, Math.max(this.startTs, t));
    const i = this.indexAt(ts);
    const a = this.points[i] as TrackPoint;
    const b = this.points[i + 1];
    const headingOf = (p: TrackPoint, next: TrackPoint | undefined) =>
      p.headingDeg ?? (next ? bearing(p, next) : 0);
    if (!b || b.ts === a.ts)
      return { ts, lon: a.lon, lat: a.lat, heading: headingOf(a, b), speedKmh: a.speedKmh, index: i };
    const k = (ts - a.ts) / (b.ts - a.ts);
    const ha = headingOf(a, b);
    const hb = headingOf(b, this.points[i + 2]);
    return {
      ts,
      lon: a.lon + (b.lon - a.lon) * k,
      lat: a.lat + (b.lat - a.lat) * k,
      heading: (ha + headingDelta(ha, hb) * k + 360) % 360,
      speedKmh:
        a.speedKmh === null || b.speedKmh === null ? a.speedKmh : a.speedKmh + (b.speedKmh - a.speedKmh) * k,
      index: i,
    };
  }

  /** The scrubber position (0..1) of time t. */
  fractionOf(t: number): number {
    const span = this.endTs - this.startTs;
    return span <= 0 ? 1 : Math.min(1, Math.max(0, (t - this.startTs) / span));
  }

  /** The time at scrubber position f (clamped to 0..1). */
  timeAt(f: number): number {
    return this.startTs + (this.endTs - this.startTs) * Math.min(1, Math.max(0, f));
  }
}

/** Initial bearing from a to b, degrees clockwise from north. */
export function bearing(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const rad = Math.PI / 180;
  const y = Math.sin((b.lon - a.lon) * rad) * Math.cos(b.lat * rad);
  const x =
    Math.cos(a.lat * rad) * Math.sin(b.lat * rad) -
    Math.sin(a.lat * rad) * Math.cos(b.lat * rad) * Math.cos((b.lon - a.lon) * rad);
  return (Math.atan2(y, x) / rad + 360) % 360;
}

/** The playback clock: device time advances `speed` times as fast as wall time while playing. */
export class PlaybackClock {
  readonly track: PlaybackTrack;
  t: number;
  speed: PlaybackSpeed = 10;
  playing = false;

  constructor(track: PlaybackTrack) {
    this.track = track;
    this.t = track.startTs;
  }

  play(): void {
    if (this.t >= this.track.endTs) this.t = this.track.startTs; // play again from the start
    this.playing = true;
  }

  pause(): void {
    this.playing = false;
  }

  seek(fraction: number): void {
    this.t = this.track.timeAt(fraction);
  }

  setSpeed(speed: number): void {
    if (!(PLAYBACK_SPEEDS as readonly number[]).includes(speed))
      throw new Error(`playback speed must be one of ${PLAYBACK_SPEEDS.join(', ')}, got ${speed}`);
    this.speed = speed as PlaybackSpeed;
  }

  /** Advances by `wallMs` of wall time; stops at the end. Returns the pose to draw. */
  advance(wallMs: number): PlaybackPose {
    if (this.playing && wallMs > 0) {
      this.t = Math.min(this.track.endTs, this.t + wallMs * this.speed);
      if (this.t >= this.track.endTs) this.playing = false;
    }
    return this.track.poseAt(this.t);
  }
}
