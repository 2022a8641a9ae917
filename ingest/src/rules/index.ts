// The rule engine of the ingest tier (issue 12): rule kinds, episodes, the engine, the
// directory of rules and contexts, the alert writer and the running service.
export * from './directory.ts';
export * from './engine.ts';
export * from './episodes.ts';
export * from './org-context.ts';
export * from './preview.ts';
export * from './service.ts';
export * from './types.ts';
