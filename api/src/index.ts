export { type ApiDeps, type ApiServer, apiRoutes, startApi } from './app.ts';
export { UserDirectory, type UserWithHash } from './auth/users.ts';
export { type BootstrapResult, DEMO_ADMIN_EMAIL, ensureFirstAdministrator } from './bootstrap.ts';
export { readLatestRecords } from './history.ts';
export type { AnyRoute } from './http/route.ts';
export { ROLES, type Role } from './permissions.ts';
