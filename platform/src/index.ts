export { type EmbeddedPlatform, type LauncherOptions, startEmbeddedPlatform } from './launcher.ts';
export { DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.ts';
export { type DeviceSide, LiveStateReplica, startApiSide, startDeviceSide } from './sides.ts';
export { type PlatformProcess, startPlatformProcess } from './single-process.ts';
export type { Supervisor } from './supervisor.ts';
