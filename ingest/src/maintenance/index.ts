export * from './meters.ts';
export * from './monitor.ts';
export * from './service.ts';
