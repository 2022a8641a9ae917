// Smooth movement between two reported positions: a marker glides from where it is drawn to the
// new fix over about one report interval instead of jumping. Pure functions of time.

export interface MarkerPose {
  lon: number;
  lat: number;
  /** Degrees clockwise from north. */
  heading: number;
}

/** The shortest signed turn from `from` to `to`, degrees in (-180, 180]. */
export function headingDelta(from: number, to: number): number {
  const d = ((((to - from) % 360) + 540) % 360) - 180;
  return d === -180 ? 180 : d;
}

/** Ease-out: quick start, gentle arrival (reads as a vehicle arriving, not a linear slide). */
export function easeOut(t: number): number {
  const c = Math.min(1, Math.max(0, t));
  return 1 - (1 - c) * (1 - c);
}

/** The pose at fraction `t` (0..1, clamped) of the way from `a` to `b`. */
export function interpolatePose(a: MarkerPose, b: MarkerPose, t: number): MarkerPose {
  const k = easeOut(t);
  const heading = (a.heading + headingDelta(a.heading, b.heading) * k + 360) % 360;
  return { lon: a.lon + (b.lon - a.lon) * k, lat: a.lat + (b.lat - a.lat) * k, heading };
}

/**
 * Whether a move is worth animating: a jump (a device back from a tunnel, a replay) of more than
 * `maxJumpM` metres is drawn at once rather than dragged across the map.
 */
export function shouldAnimate(a: MarkerPose, b: MarkerPose, maxJumpM = 2_000): boolean {
  const dLat = (b.lat - a.lat) * 111_320;
  const dLon = (b.lon - a.lon) * 111_320 * Math.cos(((a.lat + b.lat) / 2) * (Math.PI / 180));
  const d = Math.hypot(dLat, dLon);
  return d > 0.05 && d <= maxJumpM;
}
