// What the runtime needs from a simulated device: the part of ../device-model.ts's DeviceModel it
// drives. Models may offer more (position, scenario); the runtime needs only these, so a test
// can hand it a small stub.
import type { DeviceEventSample, DeviceModel, TelemetrySample } from '../device-model.ts';

export type { DeviceEventSample, DeviceModel, TelemetrySample };

/**
 * The runtime calls, in device time (never ahead of the wall clock): `step` to advance the world
 * (in chunks of at most maxStepS), `drainEvents` after every step, `reportIntervalS` on every
 * visit and after every sample (it may shrink between samples: report on change), `sample`
 * when a record is due (its `tsMs` is the scheduled sample time, so a device's records have
 * strictly increasing timestamps), and `onCommand` for every command received.
 * `connectivity` (false: no network, buffer) and `flooding` (publish each record on its own,
 * ignoring the polite message rate) are optional.
 */
export type RuntimeModel = Pick<
  DeviceModel,
  'kind' | 'step' | 'reportIntervalS' | 'sample' | 'drainEvents' | 'onCommand'
> &
  Partial<Pick<DeviceModel, 'connectivity' | 'flooding'>>;

/** A scenario's connectivity, when it is not the model's own: `false` means no network. */
export interface ConnectivityHook {
  online(nowMs: number): boolean;
}
