// Plays device models in device time with no network: what the MQTT runtime (runtime/device-link.ts)
// would publish, without MQTT. Every model is stepped by `stepS` in the fleet's order (vehicles
// first, so a tag riding along sees its vehicle's new position), a record is sampled when the
// model's report interval (re-read every step, so a report on change comes at once) has passed
// since its last one, and events are drained after every step. At most one record per device and
// step: a flood's sub-second interval is not played here. For tests and tools that need what a
// fleet says over a stretch of simulated time, fast (no clock, no timers).
import type { DeviceEventSample, TelemetrySample } from './device-model.ts';
import type { RuntimeModel } from './runtime/contract.ts';

export interface PlayOptions {
  /** Device time at the start, ms (the models' own start). */
  startMs: number;
  /** How long to play, s. */
  seconds: number;
  /** Step, s (default 1). */
  stepS?: number;
  /** Called after each step with the device time reached (to look at the models between steps). */
  onStep?: (nowMs: number) => void;
}

/** What one device said, oldest first. */
export interface PlayedDevice {
  records: TelemetrySample[];
  events: DeviceEventSample[];
}

export function playModels(models: readonly RuntimeModel[], options: PlayOptions): PlayedDevice[] {
  const stepS = options.stepS ?? 1;
  if (!(stepS > 0) || !(options.seconds >= 0)) throw new Error('stepS must be > 0 and seconds >= 0');
  const out: PlayedDevice[] = models.map(() => ({ records: [], events: [] }));
  const last = models.map(() => Number.NEGATIVE_INFINITY);
  const steps = Math.round(options.seconds / stepS);
  for (let k = 1; k <= steps; k++) {
    const now = Math.round(options.startMs + k * stepS * 1000);
    models.forEach((model, i) => {
      model.step(stepS, now);
      const played = out[i] as PlayedDevice;
      for (const e of model.drainEvents(now)) played.events.push(e);
      if (now - (last[i] as number) >= model.reportIntervalS() * 1000) {
        played.records.push(model.sample(now));
        last[i] = now;
      }
    });
    options.onStep?.(now);
  }
  return out;
}
