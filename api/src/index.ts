export { type ApiDeps, type ApiServer, apiRoutes, startApi } from './app.ts';
export { UserDirectory, type UserWithHash } from './auth/users.ts';
export { type BootstrapResult, DEMO_ADMIN_EMAIL, ensureFirstAdministrator } from './bootstrap.ts';
export {
  OperatorTokens,
  type PlatformOperator,
  PlatformOperators,
} from './domains/organisations/operators.ts';
export {
  type CreatedOrganisation,
  type NewOrganisation,
  OrganisationAdministration,
} from './domains/organisations/repository.ts';
export { readLatestRecords } from './history.ts';
export type { AnyRoute } from './http/route.ts';
export { ROLES, type Role } from './permissions.ts';
