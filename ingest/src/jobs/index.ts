export * from './service.ts';
export * from './tracker.ts';
