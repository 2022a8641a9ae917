export { type ApiDeps, type ApiServer, apiRoutes, startApi } from './app.ts';
export { UserDirectory, type UserWithHash } from './auth/users.ts';
export type { AnyRoute } from './http/route.ts';
export { ROLES, type Role } from './permissions.ts';
export { startPlatformProcess } from './platform.ts';
