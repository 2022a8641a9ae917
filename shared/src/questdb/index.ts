export * from './http.ts';
export * from './managed.ts';
