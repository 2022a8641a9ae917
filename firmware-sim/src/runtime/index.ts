// The simulator's device runtime: many MQTT devices in one process.
export {
  type BackoffPolicy,
  backoffCeilingMs,
  backoffDelayMs,
  CONNECT_BACKOFF,
  checkBackoffPolicy,
  REFUSED_BACKOFF,
} from './backoff.ts';
export type {
  ConnectivityHook,
  DeviceEventSample,
  DeviceModel,
  RuntimeModel,
  TelemetrySample,
} from './contract.ts';
export {
  type CredentialsFile,
  CredentialsFileError,
  credentialsFileSchema,
  type DeviceCredentials,
  parseCredentials,
  readCredentials,
  writeCredentials,
} from './credentials.ts';
export { DeviceClock } from './device-clock.ts';
export {
  createFleetRuntime,
  type FleetRuntime,
  type RuntimeDeps,
  type RuntimeStats,
  type SimulatedDevice,
  type StopSummary,
} from './fleet-runtime.ts';
export {
  parseRuntimeOptions,
  type RuntimeOptions,
  type RuntimeOptionsInput,
  runtimeOptionsSchema,
} from './options.ts';
export { Outbox, type OutboxBatch, type OutboxEntry, type SendPolicy } from './outbox.ts';
export {
  type FleetStatusRecord,
  fleetStatusRecordSchema,
  formatStatusLine,
  type StatusOutput,
  type StatusReporter,
  type StatusReporterOptions,
  type StatusSource,
  startStatusReporter,
  statusRecord,
} from './status.ts';
export type {
  DeviceStatus,
  LinkState,
  RuntimeCounters,
  RuntimeEventName,
  RuntimeEvents,
} from './types.ts';
