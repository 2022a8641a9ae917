export * from './bus.ts';
export * from './config.ts';
export * from './errors.ts';
export * from './log.ts';
export * from './process.ts';
export * from './rate.ts';
export * from './runtime.ts';
export * from './telemetry.ts';
