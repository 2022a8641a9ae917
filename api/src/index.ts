export { type ApiDeps, type ApiServer, apiRoutes, startApi } from './app.ts';
export { UserDirectory, type UserWithHash } from './auth/users.ts';
export { type BootstrapResult, DEMO_ADMIN_EMAIL, ensureFirstAdministrator } from './bootstrap.ts';
export { vinCheckDigit } from './domains/assets/identifiers.ts';
// The domain repositories and body schemas, for the launcher's seeding of the demo company.
export { Assets, Installations } from './domains/assets/repository.ts';
export { newEquipmentSchema, newVehicleSchema } from './domains/assets/schemas.ts';
export { CostEntries, FuelEntries } from './domains/costs/repository.ts';
export { newCostEntrySchema, newFuelEntrySchema } from './domains/costs/schemas.ts';
export { Departments } from './domains/departments/repository.ts';
export { DriverAssignments } from './domains/drivers/assignments.ts';
export { Drivers } from './domains/drivers/repository.ts';
export { newDriverSchema } from './domains/drivers/schemas.ts';
export { Jobs } from './domains/jobs/repository.ts';
export { newJobSchema } from './domains/jobs/schemas.ts';
export { ServicePlans } from './domains/maintenance/repository.ts';
export { newServicePlanSchema } from './domains/maintenance/schemas.ts';
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
export { Places } from './domains/places/repository.ts';
export { newPlaceSchema } from './domains/places/schemas.ts';
export { Projects } from './domains/projects/repository.ts';
export { newProjectSchema } from './domains/projects/schemas.ts';
export { buildSummary, buildUtilisation, buildVisits } from './domains/reports/build.ts';
export { readSummaryInput } from './domains/reports/repository.ts';
export { summaryQuerySchema, utilisationQuerySchema, visitsQuerySchema } from './domains/reports/schemas.ts';
export { summarise } from './domains/reports/summary.ts';
export { Rules } from './domains/rules/repository.ts';
export { newRuleSchema } from './domains/rules/schemas.ts';
export { readStops, readTrips } from './domains/trips/repository.ts';
export { WorkOrders } from './domains/work-orders/repository.ts';
export {
  newLineSchema,
  newWorkOrderSchema,
  workOrderTransitionSchema,
} from './domains/work-orders/schemas.ts';
export { readLatestRecords } from './history.ts';
export type { AnyRoute } from './http/route.ts';
export { ROLES, type Role } from './permissions.ts';
