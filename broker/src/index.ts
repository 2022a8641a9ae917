export * from './acl.ts';
export * from './auth.ts';
export * from './broker.ts';
export * from './listeners.ts';
export * from './metrics.ts';
export * from './packet-size.ts';
export * from './refusals.ts';
export * from './service.ts';
