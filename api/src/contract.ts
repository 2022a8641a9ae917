// The REST contract as the ops console sees it: the schemas of the routes the console calls,
// and the request/response types derived from them, so the console's client (web/src/lib/api)
// never writes a body shape twice. The console imports this module with `import type` only, so
// nothing of the server reaches the browser bundle; api/test/contract.test.ts checks that each
// entry is the schema its route really declares. Everything here comes from routes/schemas.ts
// and the domains' schemas.ts, whose small import closures (zod, libphonenumber-js, the pure
// modules of @fleet/shared such as maintenance.ts and money.ts, no database) the console's type
// check can load.
import type { z } from 'zod';
import { csvFileSchema, importSummarySchema } from './csv/schemas.ts';
import {
  alertChangesSchema,
  alertDetailSchema,
  alertPageSchema,
  alertSummarySchema,
  newAlertCommentSchema,
  resolveAlertSchema,
} from './domains/alerts/schemas.ts';
import {
  endInstallationSchema,
  equipmentChangesSchema,
  equipmentPageSchema,
  equipmentSchema,
  installationListSchema,
  installationSchema,
  newEquipmentSchema,
  newInstallationSchema,
  newVehicleSchema,
  vehicleChangesSchema,
  vehiclePageSchema,
  vehicleSchema,
} from './domains/assets/schemas.ts';
import { auditPageSchema } from './domains/audit/schemas.ts';
import {
  assetCostsSchema,
  type COST_CATEGORIES,
  confirmRefuelSchema,
  costEntryListSchema,
  costEntrySchema,
  costSummarySchema,
  fuelEntryListSchema,
  fuelEntrySchema,
  newCostEntrySchema,
  newFuelEntrySchema,
  refuelSuggestionListSchema,
} from './domains/costs/schemas.ts';
import { dashboardSchema } from './domains/dashboard/schemas.ts';
import {
  assignmentPageSchema,
  assignmentSchema,
  driverChangesSchema,
  driverPageSchema,
  driverRemovalSchema,
  driverSchema,
  newAssignmentSchema,
  newDriverSchema,
  personalDataSchema,
  vehicleDriverChangeSchema,
  vehicleDriverSchema,
} from './domains/drivers/schemas.ts';
import {
  jobChangesSchema,
  jobCheckSchema,
  jobConflictsSchema,
  jobEventsSchema,
  jobListSchema,
  jobSchema,
  jobTransitionSchema,
  newJobSchema,
} from './domains/jobs/schemas.ts';
import {
  assetMaintenanceSchema,
  assetMetersSchema,
  boardSchema,
  dtcSchema,
  flaggedReadingPageSchema,
  meterReadingSchema,
  newMeterReadingSchema,
  newServicePlanSchema,
  servicePlanChangesSchema,
  servicePlanListSchema,
  servicePlanSchema,
} from './domains/maintenance/schemas.ts';
import {
  mfaDisableSchema,
  mfaOffSchema,
  mfaStatusSchema,
  recoveryCodesRequestSchema,
  recoveryCodesSchema,
  totpConfirmationSchema,
  totpEnrolmentSchema,
  totpStartSchema,
} from './domains/mfa/schemas.ts';
import {
  newProjectSchema,
  projectChangesSchema,
  projectCostsSchema,
  projectListSchema,
  projectSchema,
} from './domains/projects/schemas.ts';
import {
  newReportScheduleSchema,
  reportScheduleChangesSchema,
  reportScheduleListSchema,
  reportScheduleRunSchema,
  reportScheduleSchema,
} from './domains/report-schedules/schemas.ts';
import {
  alertsReportSchema,
  summarySchema,
  utilisationReportSchema,
  visitsReportSchema,
} from './domains/reports/schemas.ts';
import {
  newRuleSchema,
  ruleCatalogueSchema,
  ruleChangesSchema,
  rulePageSchema,
  ruleSchema,
} from './domains/rules/schemas.ts';
import { stopListSchema, tripListSchema } from './domains/trips/schemas.ts';
import {
  attachmentDataSchema,
  newAttachmentSchema,
  newLineSchema,
  newNoteSchema,
  newTaskSchema,
  newWorkOrderSchema,
  taskChangesSchema,
  workOrderChangesSchema,
  workOrderFromAlertSchema,
  workOrderHistorySchema,
  workOrderPageSchema,
  workOrderSchema,
  workOrderTransitionSchema,
} from './domains/work-orders/schemas.ts';
import type { ApiErrorCode, ErrorBody } from './http/errors.ts';
import {
  accessTokenSchema,
  consoleConfigSchema,
  deviceEventListSchema,
  deviceLatestSchema,
  devicePageSchema,
  deviceSchema,
  empty,
  fleetLatestSchema,
  type livePosition,
  loginRequestSchema,
  loginResponseSchema,
  meSchema,
  mfaLoginRequestSchema,
  organisationChangesSchema,
  organisationSchema,
  type role,
  type SESSION_HINT_COOKIE,
  signedInSchema,
  telemetrySeriesSchema,
  trackSchema,
  type userSchema,
  type vehicleStatus,
} from './routes/schemas.ts';

interface EndpointSchemas {
  body?: z.ZodType;
  /** The schema of the success response. */
  response: z.ZodType;
}

/** The routes the console calls, by method and path (OpenAPI path syntax). */
export const consoleEndpoints = {
  'POST /api/v1/auth/login': { body: loginRequestSchema, response: loginResponseSchema },
  'POST /api/v1/auth/login/mfa': { body: mfaLoginRequestSchema, response: signedInSchema },
  'GET /api/v1/me/mfa': { response: mfaStatusSchema },
  'POST /api/v1/me/mfa/totp': { body: totpStartSchema, response: totpEnrolmentSchema },
  'POST /api/v1/me/mfa/totp/confirm': { body: totpConfirmationSchema, response: recoveryCodesSchema },
  'POST /api/v1/me/mfa/recovery-codes': { body: recoveryCodesRequestSchema, response: recoveryCodesSchema },
  'DELETE /api/v1/me/mfa': { body: mfaDisableSchema, response: mfaOffSchema },
  'POST /api/v1/auth/refresh': { response: accessTokenSchema },
  'POST /api/v1/auth/logout': { response: empty },
  'GET /api/v1/me': { response: meSchema },
  'PATCH /api/v1/organisation': { body: organisationChangesSchema, response: organisationSchema },
  'GET /api/v1/console/config': { response: consoleConfigSchema },
  'GET /api/v1/fleet/latest': { response: fleetLatestSchema },
  'GET /api/v1/devices/{id}': { response: deviceSchema },
  'GET /api/v1/devices/{id}/latest': { response: deviceLatestSchema },
  'GET /api/v1/devices/{id}/track': { response: trackSchema },
  'GET /api/v1/devices/{id}/telemetry': { response: telemetrySeriesSchema },
  'GET /api/v1/devices/{id}/events': { response: deviceEventListSchema },
  'GET /api/v1/devices': { response: devicePageSchema },
  'GET /api/v1/devices/{id}/installations': { response: installationListSchema },
  'GET /api/v1/vehicles': { response: vehiclePageSchema },
  'POST /api/v1/vehicles': { body: newVehicleSchema, response: vehicleSchema },
  'GET /api/v1/vehicles/{id}': { response: vehicleSchema },
  'PATCH /api/v1/vehicles/{id}': { body: vehicleChangesSchema, response: vehicleSchema },
  'DELETE /api/v1/vehicles/{id}': { response: vehicleSchema },
  'GET /api/v1/equipment': { response: equipmentPageSchema },
  'POST /api/v1/equipment': { body: newEquipmentSchema, response: equipmentSchema },
  'GET /api/v1/equipment/{id}': { response: equipmentSchema },
  'PATCH /api/v1/equipment/{id}': { body: equipmentChangesSchema, response: equipmentSchema },
  'DELETE /api/v1/equipment/{id}': { response: equipmentSchema },
  'GET /api/v1/assets/{id}/installations': { response: installationListSchema },
  'POST /api/v1/assets/{id}/installations': { body: newInstallationSchema, response: installationSchema },
  'POST /api/v1/installations/{id}/end': { body: endInstallationSchema, response: installationSchema },
  'GET /api/v1/drivers': { response: driverPageSchema },
  'POST /api/v1/drivers': { body: newDriverSchema, response: driverSchema },
  'GET /api/v1/drivers/{id}': { response: driverSchema },
  'PATCH /api/v1/drivers/{id}': { body: driverChangesSchema, response: driverSchema },
  'DELETE /api/v1/drivers/{id}': { response: driverRemovalSchema },
  'GET /api/v1/drivers/{id}/assignments': { response: assignmentPageSchema },
  'POST /api/v1/drivers/{id}/assignments': { body: newAssignmentSchema, response: assignmentSchema },
  'GET /api/v1/vehicles/{id}/driver': { response: vehicleDriverSchema },
  'POST /api/v1/vehicles/{id}/driver': { body: vehicleDriverChangeSchema, response: assignmentSchema },
  'GET /api/v1/vehicles/{id}/assignments': { response: assignmentPageSchema },
  'POST /api/v1/assignments/{id}/end': { response: assignmentSchema },
  'GET /api/v1/drivers/{id}/personal-data': { response: personalDataSchema },
  'POST /api/v1/drivers/{id}/erase': { response: driverSchema },
  'GET /api/v1/audit-log': { response: auditPageSchema },
  'POST /api/v1/vehicles/import': { body: csvFileSchema, response: importSummarySchema },
  'POST /api/v1/equipment/import': { body: csvFileSchema, response: importSummarySchema },
  'POST /api/v1/drivers/import': { body: csvFileSchema, response: importSummarySchema },
  'GET /api/v1/rules/catalogue': { response: ruleCatalogueSchema },
  'GET /api/v1/rules': { response: rulePageSchema },
  'POST /api/v1/rules': { body: newRuleSchema, response: ruleSchema },
  'GET /api/v1/rules/{id}': { response: ruleSchema },
  'PATCH /api/v1/rules/{id}': { body: ruleChangesSchema, response: ruleSchema },
  'GET /api/v1/alerts': { response: alertPageSchema },
  'GET /api/v1/alerts/summary': { response: alertSummarySchema },
  'GET /api/v1/alerts/{id}': { response: alertDetailSchema },
  'POST /api/v1/alerts/{id}/acknowledge': { response: alertDetailSchema },
  'POST /api/v1/alerts/{id}/resolve': { body: resolveAlertSchema, response: alertDetailSchema },
  'POST /api/v1/alerts/{id}/reopen': { response: alertDetailSchema },
  'PATCH /api/v1/alerts/{id}': { body: alertChangesSchema, response: alertDetailSchema },
  'POST /api/v1/alerts/{id}/comments': { body: newAlertCommentSchema, response: alertDetailSchema },
  'GET /api/v1/service-plans': { response: servicePlanListSchema },
  'POST /api/v1/service-plans': { body: newServicePlanSchema, response: servicePlanSchema },
  'GET /api/v1/service-plans/{id}': { response: servicePlanSchema },
  'PATCH /api/v1/service-plans/{id}': { body: servicePlanChangesSchema, response: servicePlanSchema },
  'POST /api/v1/service-plans/{id}/archive': { response: empty },
  'GET /api/v1/maintenance/board': { response: boardSchema },
  'GET /api/v1/maintenance/flagged-readings': { response: flaggedReadingPageSchema },
  'GET /api/v1/assets/{id}/maintenance': { response: assetMaintenanceSchema },
  'GET /api/v1/assets/{id}/meters': { response: assetMetersSchema },
  'POST /api/v1/assets/{id}/meter-readings': { body: newMeterReadingSchema, response: meterReadingSchema },
  'GET /api/v1/dtc/{code}': { response: dtcSchema },
  'GET /api/v1/work-orders': { response: workOrderPageSchema },
  'POST /api/v1/work-orders': { body: newWorkOrderSchema, response: workOrderSchema },
  'POST /api/v1/alerts/{id}/work-order': { body: workOrderFromAlertSchema, response: workOrderSchema },
  'GET /api/v1/work-orders/{id}': { response: workOrderSchema },
  'PATCH /api/v1/work-orders/{id}': { body: workOrderChangesSchema, response: workOrderSchema },
  'POST /api/v1/work-orders/{id}/state': { body: workOrderTransitionSchema, response: workOrderSchema },
  'POST /api/v1/work-orders/{id}/lines': { body: newLineSchema, response: workOrderSchema },
  'DELETE /api/v1/work-orders/{id}/lines/{lineId}': { response: workOrderSchema },
  'POST /api/v1/work-orders/{id}/tasks': { body: newTaskSchema, response: workOrderSchema },
  'PATCH /api/v1/work-orders/{id}/tasks/{taskId}': { body: taskChangesSchema, response: workOrderSchema },
  'POST /api/v1/work-orders/{id}/notes': { body: newNoteSchema, response: workOrderSchema },
  'POST /api/v1/work-orders/{id}/attachments': { body: newAttachmentSchema, response: workOrderSchema },
  'GET /api/v1/work-orders/{id}/attachments/{attachmentId}': { response: attachmentDataSchema },
  'DELETE /api/v1/work-orders/{id}/attachments/{attachmentId}': { response: empty },
  'GET /api/v1/work-orders/{id}/history': { response: workOrderHistorySchema },
  'GET /api/v1/fuel-entries': { response: fuelEntryListSchema },
  'POST /api/v1/fuel-entries': { body: newFuelEntrySchema, response: fuelEntrySchema },
  'DELETE /api/v1/fuel-entries/{id}': { response: empty },
  'POST /api/v1/fuel-entries/import': { body: csvFileSchema, response: importSummarySchema },
  'GET /api/v1/fuel-entries/suggestions': { response: refuelSuggestionListSchema },
  'POST /api/v1/alerts/{id}/fuel-entry': { body: confirmRefuelSchema, response: fuelEntrySchema },
  'GET /api/v1/cost-entries': { response: costEntryListSchema },
  'POST /api/v1/cost-entries': { body: newCostEntrySchema, response: costEntrySchema },
  'DELETE /api/v1/cost-entries/{id}': { response: empty },
  'GET /api/v1/assets/{id}/costs': { response: assetCostsSchema },
  'GET /api/v1/costs/summary': { response: costSummarySchema },
  'GET /api/v1/projects': { response: projectListSchema },
  'POST /api/v1/projects': { body: newProjectSchema, response: projectSchema },
  'GET /api/v1/projects/{id}': { response: projectSchema },
  'GET /api/v1/projects/{id}/costs': { response: projectCostsSchema },
  'PATCH /api/v1/projects/{id}': { body: projectChangesSchema, response: projectSchema },
  'GET /api/v1/jobs': { response: jobListSchema },
  'POST /api/v1/jobs': { body: newJobSchema, response: jobSchema },
  'GET /api/v1/jobs/{id}': { response: jobSchema },
  'PATCH /api/v1/jobs/{id}': { body: jobChangesSchema, response: jobSchema },
  'POST /api/v1/jobs/check': { body: jobCheckSchema, response: jobConflictsSchema },
  'POST /api/v1/jobs/{id}/state': { body: jobTransitionSchema, response: jobSchema },
  'GET /api/v1/jobs/{id}/events': { response: jobEventsSchema },
  'GET /api/v1/assets/{id}/trips': { response: tripListSchema },
  'GET /api/v1/assets/{id}/stops': { response: stopListSchema },
  'GET /api/v1/dashboard': { response: dashboardSchema },
  'GET /api/v1/reports/summary': { response: summarySchema },
  'GET /api/v1/reports/utilisation': { response: utilisationReportSchema },
  'GET /api/v1/reports/visits': { response: visitsReportSchema },
  'GET /api/v1/reports/alerts': { response: alertsReportSchema },
  'GET /api/v1/report-schedules': { response: reportScheduleListSchema },
  'POST /api/v1/report-schedules': { body: newReportScheduleSchema, response: reportScheduleSchema },
  'GET /api/v1/report-schedules/{id}': { response: reportScheduleSchema },
  'PATCH /api/v1/report-schedules/{id}': {
    body: reportScheduleChangesSchema,
    response: reportScheduleSchema,
  },
  'DELETE /api/v1/report-schedules/{id}': { response: reportScheduleSchema },
  'POST /api/v1/report-schedules/{id}/send': { response: reportScheduleRunSchema },
} as const satisfies Record<string, EndpointSchemas>;

type Schemas = typeof consoleEndpoints;

/** What each endpoint takes (the body as sent, before the server's transforms) and returns. */
export type ConsoleEndpoints = {
  [K in keyof Schemas]: {
    body: Schemas[K] extends { body: infer B extends z.ZodType } ? z.input<B> : undefined;
    response: z.output<Schemas[K]['response']>;
  };
};

export type { ApiErrorCode, ErrorBody };
/** The name of the session hint cookie, as a type: the console's copy must equal it. */
export type SessionHintCookie = typeof SESSION_HINT_COOKIE;
export type Role = z.output<typeof role>;
export type VehicleStatus = z.output<typeof vehicleStatus>;
export type User = z.output<typeof userSchema>;
export type LoginRequest = ConsoleEndpoints['POST /api/v1/auth/login']['body'];
/** A password sign-in's answer: signed in, or the challenge of the second step (MFA). */
export type LoginResponse = ConsoleEndpoints['POST /api/v1/auth/login']['response'];
export type MfaLoginRequest = ConsoleEndpoints['POST /api/v1/auth/login/mfa']['body'];
export type MfaStatus = ConsoleEndpoints['GET /api/v1/me/mfa']['response'];
export type TotpEnrolment = ConsoleEndpoints['POST /api/v1/me/mfa/totp']['response'];
export type Me = ConsoleEndpoints['GET /api/v1/me']['response'];
/** The signed-in user's organisation, with the IANA time zone the console shows times in. */
export type Organisation = Me['organisation'];
export type OrganisationChanges = ConsoleEndpoints['PATCH /api/v1/organisation']['body'];
export type LivePosition = z.output<typeof livePosition>;
export type FleetLatest = ConsoleEndpoints['GET /api/v1/fleet/latest']['response'];
export type FleetDevice = FleetLatest['devices'][number];
export type Device = ConsoleEndpoints['GET /api/v1/devices/{id}']['response'];
export type DeviceLatest = ConsoleEndpoints['GET /api/v1/devices/{id}/latest']['response'];
export type Track = ConsoleEndpoints['GET /api/v1/devices/{id}/track']['response'];
export type TelemetrySeries = ConsoleEndpoints['GET /api/v1/devices/{id}/telemetry']['response'];
export type DeviceEvent = ConsoleEndpoints['GET /api/v1/devices/{id}/events']['response']['items'][number];
export type ConsoleConfig = ConsoleEndpoints['GET /api/v1/console/config']['response'];
export type DevicePage = ConsoleEndpoints['GET /api/v1/devices']['response'];
export type Vehicle = ConsoleEndpoints['GET /api/v1/vehicles/{id}']['response'];
export type NewVehicle = ConsoleEndpoints['POST /api/v1/vehicles']['body'];
export type VehicleChanges = ConsoleEndpoints['PATCH /api/v1/vehicles/{id}']['body'];
export type EquipmentItem = ConsoleEndpoints['GET /api/v1/equipment/{id}']['response'];
export type NewEquipmentItem = ConsoleEndpoints['POST /api/v1/equipment']['body'];
export type EquipmentItemChanges = ConsoleEndpoints['PATCH /api/v1/equipment/{id}']['body'];
export type Installation = ConsoleEndpoints['POST /api/v1/assets/{id}/installations']['response'];
export type Driver = ConsoleEndpoints['GET /api/v1/drivers/{id}']['response'];
export type NewDriver = ConsoleEndpoints['POST /api/v1/drivers']['body'];
export type DriverChanges = ConsoleEndpoints['PATCH /api/v1/drivers/{id}']['body'];
export type DriverAssignment = ConsoleEndpoints['POST /api/v1/drivers/{id}/assignments']['response'];
export type VehicleDriver = ConsoleEndpoints['GET /api/v1/vehicles/{id}/driver']['response'];
export type DriverPersonalData = ConsoleEndpoints['GET /api/v1/drivers/{id}/personal-data']['response'];
export type AuditLogPage = ConsoleEndpoints['GET /api/v1/audit-log']['response'];
export type AuditEntry = AuditLogPage['items'][number];
export type ImportSummary = ConsoleEndpoints['POST /api/v1/vehicles/import']['response'];
export type RuleCatalogue = ConsoleEndpoints['GET /api/v1/rules/catalogue']['response'];
export type Rule = ConsoleEndpoints['GET /api/v1/rules/{id}']['response'];
export type RulePage = ConsoleEndpoints['GET /api/v1/rules']['response'];
export type NewRule = ConsoleEndpoints['POST /api/v1/rules']['body'];
export type RuleChanges = ConsoleEndpoints['PATCH /api/v1/rules/{id}']['body'];
export type AlertPage = ConsoleEndpoints['GET /api/v1/alerts']['response'];
export type Alert = AlertPage['items'][number];
export type AlertDetail = ConsoleEndpoints['GET /api/v1/alerts/{id}']['response'];
export type AlertActivity = AlertDetail['activity'][number];
export type AlertSummary = ConsoleEndpoints['GET /api/v1/alerts/summary']['response'];
export type ServicePlan = ConsoleEndpoints['GET /api/v1/service-plans/{id}']['response'];
export type NewServicePlan = ConsoleEndpoints['POST /api/v1/service-plans']['body'];
export type ServicePlanChanges = ConsoleEndpoints['PATCH /api/v1/service-plans/{id}']['body'];
export type MaintenanceBoard = ConsoleEndpoints['GET /api/v1/maintenance/board']['response'];
/** An asset's standing on one service plan: a row of the board. */
export type ServiceStatus = MaintenanceBoard['items'][number];
export type ServiceLevel = ServiceStatus['level'];
export type AssetMaintenance = ConsoleEndpoints['GET /api/v1/assets/{id}/maintenance']['response'];
export type AssetMeters = ConsoleEndpoints['GET /api/v1/assets/{id}/meters']['response'];
export type MeterReading = AssetMeters['readings'][number];
export type NewMeterReading = ConsoleEndpoints['POST /api/v1/assets/{id}/meter-readings']['body'];
export type FlaggedReading =
  ConsoleEndpoints['GET /api/v1/maintenance/flagged-readings']['response']['items'][number];
export type TroubleCode = ConsoleEndpoints['GET /api/v1/dtc/{code}']['response'];
export type WorkOrderPage = ConsoleEndpoints['GET /api/v1/work-orders']['response'];
export type WorkOrderSummary = WorkOrderPage['items'][number];
export type WorkOrder = ConsoleEndpoints['GET /api/v1/work-orders/{id}']['response'];
export type WorkOrderState = WorkOrder['state'];
export type WorkOrderLine = WorkOrder['lines'][number];
export type WorkOrderTask = WorkOrder['tasks'][number];
export type WorkOrderNote = WorkOrder['notes'][number];
export type WorkOrderAttachment = WorkOrder['attachments'][number];
export type NewWorkOrder = ConsoleEndpoints['POST /api/v1/work-orders']['body'];
export type NewWorkOrderLine = ConsoleEndpoints['POST /api/v1/work-orders/{id}/lines']['body'];
export type WorkOrderTransition = ConsoleEndpoints['POST /api/v1/work-orders/{id}/state']['body'];
export type WorkOrderAttachmentData =
  ConsoleEndpoints['GET /api/v1/work-orders/{id}/attachments/{attachmentId}']['response'];
export type WorkOrderHistoryEntry =
  ConsoleEndpoints['GET /api/v1/work-orders/{id}/history']['response']['items'][number];
export type FuelEntry = ConsoleEndpoints['POST /api/v1/fuel-entries']['response'];
export type NewFuelEntry = ConsoleEndpoints['POST /api/v1/fuel-entries']['body'];
/** A refuel the rule engine saw that nobody has entered yet, offered to confirm. */
export type RefuelSuggestion =
  ConsoleEndpoints['GET /api/v1/fuel-entries/suggestions']['response']['items'][number];
export type ConfirmRefuel = ConsoleEndpoints['POST /api/v1/alerts/{id}/fuel-entry']['body'];
export type CostEntry = ConsoleEndpoints['POST /api/v1/cost-entries']['response'];
export type NewCostEntry = ConsoleEndpoints['POST /api/v1/cost-entries']['body'];
export type CostCategory = (typeof COST_CATEGORIES)[number];
export type AssetCosts = ConsoleEndpoints['GET /api/v1/assets/{id}/costs']['response'];
/** Costs, distance, meters and fuel over a range: cost per km and per engine hour, consumption. */
export type CostFigures = AssetCosts['range'];
export type CostMonth = AssetCosts['months'][number];
export type CostSummary = ConsoleEndpoints['GET /api/v1/costs/summary']['response'];
/** An asset or a department (id null: the assets of no department) in the costs summary. */
export type CostSummaryRow = CostSummary['rows'][number];
export type Project = ConsoleEndpoints['GET /api/v1/projects/{id}']['response'];
export type ProjectCosts = ConsoleEndpoints['GET /api/v1/projects/{id}/costs']['response'];
export type NewProject = ConsoleEndpoints['POST /api/v1/projects']['body'];
export type Job = ConsoleEndpoints['GET /api/v1/jobs/{id}']['response'];
export type NewJob = ConsoleEndpoints['POST /api/v1/jobs']['body'];
export type JobChanges = ConsoleEndpoints['PATCH /api/v1/jobs/{id}']['body'];
export type JobCheck = ConsoleEndpoints['POST /api/v1/jobs/check']['body'];
export type JobConflict = Job['conflicts'][number];
export type JobTransition = ConsoleEndpoints['POST /api/v1/jobs/{id}/state']['body'];
export type JobEvent = ConsoleEndpoints['GET /api/v1/jobs/{id}/events']['response']['items'][number];
export type TripList = ConsoleEndpoints['GET /api/v1/assets/{id}/trips']['response'];
export type StopList = ConsoleEndpoints['GET /api/v1/assets/{id}/stops']['response'];
/** The KPI dashboard: the fleet now, today and this month, alerts, jobs, services due, cost per km. */
export type Dashboard = ConsoleEndpoints['GET /api/v1/dashboard']['response'];
/** The fleet summary per asset or per day (JSON; `format=csv|xlsx` for a file). */
export type FleetSummary = ConsoleEndpoints['GET /api/v1/reports/summary']['response'];
/** In-use time over working time per department, category or asset, and the assets that sat idle. */
export type UtilisationReport = ConsoleEndpoints['GET /api/v1/reports/utilisation']['response'];
export type UtilisationRow = UtilisationReport['rows'][number];
export type IdleAsset = UtilisationReport['idle'][number];
/** Time at each place (geofence visits) from the stored stops, per place or per place and asset. */
export type VisitsReport = ConsoleEndpoints['GET /api/v1/reports/visits']['response'];
export type VisitsRow = VisitsReport['rows'][number];
/** Alerts that started in the range, per asset: by severity and kind, open, mean time to resolve. */
export type AlertsReport = ConsoleEndpoints['GET /api/v1/reports/alerts']['response'];
export type AlertsReportRow = AlertsReport['rows'][number];
/** An asset as the reports show it. */
export type ReportAsset = AlertsReportRow['asset'];
export type ReportSchedule = ConsoleEndpoints['GET /api/v1/report-schedules/{id}']['response'];
export type NewReportSchedule = ConsoleEndpoints['POST /api/v1/report-schedules']['body'];
export type ReportScheduleChanges = ConsoleEndpoints['PATCH /api/v1/report-schedules/{id}']['body'];
/** How a "send now" went. */
export type ReportScheduleRun = ConsoleEndpoints['POST /api/v1/report-schedules/{id}/send']['response'];
