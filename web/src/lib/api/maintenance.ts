// The maintenance and work order routes as the console calls them (service plans, the board,
// meters and readings, the DTC catalogue, work orders with their checklist, lines, notes,
// attachments and history). Their shapes are the contract's own (api/src/contract.ts lists
// these routes with their zod schemas), so this module only names the calls and turns the
// console's filters into the query strings the API reads. The few constants the forms check
// before sending (attachment types and size, line kinds) are the API's, written here because
// its schemas module brings zod at run time; web/test/maintenance-endpoints.test.ts checks them
// equal.
import type {
  AssetMaintenance,
  AssetMeters,
  FlaggedReading,
  MaintenanceBoard,
  MeterReading,
  NewMeterReading,
  NewServicePlan,
  NewWorkOrder,
  NewWorkOrderLine,
  ServiceLevel,
  ServicePlan,
  ServicePlanChanges,
  TroubleCode,
  WorkOrder,
  WorkOrderAttachmentData,
  WorkOrderHistoryEntry,
  WorkOrderPage,
  WorkOrderState,
  WorkOrderTransition,
} from '@fleet/api/contract';
import type { ApiClient } from './client.ts';

/** api/src/domains/work-orders/schemas.ts */
export const LINE_KINDS = ['part', 'labour', 'other'] as const;
export type LineKind = (typeof LINE_KINDS)[number];
export const ATTACHMENT_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'application/pdf',
  'text/plain',
] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];
/** 5 MiB, as the API checks it (the bytes, before base64). */
export const ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024;
/** The workshop's queue: at most one of these per plan and asset (@fleet/shared/maintenance). */
export const UNFINISHED_STATES = [
  'open',
  'in_progress',
  'on_hold',
] as const satisfies readonly WorkOrderState[];
/** Limits of the API's schemas the forms check as it does. */
export const MAINTENANCE_LIMITS = {
  planName: 100,
  planDescription: 2000,
  planItems: 100,
  planItem: 200,
  category: 60,
  title: 200,
  description: 4000,
  lineDescription: 200,
  partNumber: 60,
  note: 4000,
  readingNote: 500,
  fileName: 200,
  /** Work orders per page of GET /api/v1/work-orders (its maximum is 500). */
  workOrdersPage: 100,
} as const;

/** What the board's filters send (GET /api/v1/maintenance/board). */
export interface BoardQuery {
  levels?: readonly ServiceLevel[];
  kind?: 'vehicle' | 'equipment' | '';
  planId?: string;
  departmentId?: string;
  q?: string;
}

/** The query string the API reads: `level=due,overdue`, empty filters left out. */
export function boardParams(query: BoardQuery): Record<string, string | undefined> {
  const text = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  return {
    level: query.levels && query.levels.length > 0 ? query.levels.join(',') : undefined,
    kind: text(query.kind),
    planId: text(query.planId),
    departmentId: text(query.departmentId),
    q: text(query.q),
  };
}

export interface WorkOrderQuery {
  /** Empty: every state. */
  states?: readonly WorkOrderState[];
  assetId?: string;
  planId?: string;
  assigneeId?: string;
  limit?: number;
  cursor?: string;
}

export function workOrderParams(query: WorkOrderQuery): Record<string, string | number | undefined> {
  const text = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  return {
    state: query.states && query.states.length > 0 ? query.states.join(',') : undefined,
    assetId: text(query.assetId),
    planId: text(query.planId),
    assigneeId: text(query.assigneeId),
    limit: query.limit,
    cursor: text(query.cursor),
  };
}

const id = (value: string) => ({ params: { id: value } });

export const servicePlans = async (api: ApiClient): Promise<ServicePlan[]> =>
  (await api.call('GET /api/v1/service-plans')).items;
export const createServicePlan = (api: ApiClient, body: NewServicePlan): Promise<ServicePlan> =>
  api.call('POST /api/v1/service-plans', { body });
export const updateServicePlan = (
  api: ApiClient,
  planId: string,
  body: ServicePlanChanges,
): Promise<ServicePlan> => api.call('PATCH /api/v1/service-plans/{id}', { ...id(planId), body });
export const archiveServicePlan = async (api: ApiClient, planId: string): Promise<void> => {
  await api.call('POST /api/v1/service-plans/{id}/archive', id(planId));
};

export const maintenanceBoard = (
  api: ApiClient,
  query: BoardQuery,
  signal?: AbortSignal,
): Promise<MaintenanceBoard> =>
  api.call('GET /api/v1/maintenance/board', { query: boardParams(query), ...(signal ? { signal } : {}) });
export const flaggedReadings = async (api: ApiClient): Promise<FlaggedReading[]> =>
  (await api.call('GET /api/v1/maintenance/flagged-readings')).items;
export const assetMaintenance = (api: ApiClient, assetId: string): Promise<AssetMaintenance> =>
  api.call('GET /api/v1/assets/{id}/maintenance', id(assetId));
export const assetMeters = (api: ApiClient, assetId: string): Promise<AssetMeters> =>
  api.call('GET /api/v1/assets/{id}/meters', id(assetId));
export const addMeterReading = (
  api: ApiClient,
  assetId: string,
  body: NewMeterReading,
): Promise<MeterReading> => api.call('POST /api/v1/assets/{id}/meter-readings', { ...id(assetId), body });
export const troubleCode = (api: ApiClient, code: string): Promise<TroubleCode> =>
  api.call('GET /api/v1/dtc/{code}', { params: { code } });

export const workOrders = (api: ApiClient, query: WorkOrderQuery): Promise<WorkOrderPage> =>
  api.call('GET /api/v1/work-orders', { query: workOrderParams(query) });
export const workOrder = (api: ApiClient, workOrderId: string): Promise<WorkOrder> =>
  api.call('GET /api/v1/work-orders/{id}', id(workOrderId));
export const createWorkOrder = (api: ApiClient, body: NewWorkOrder): Promise<WorkOrder> =>
  api.call('POST /api/v1/work-orders', { body });
/** An engine fault's code and description come with it (the API attaches them). */
export const workOrderFromAlert = (api: ApiClient, alertId: string): Promise<WorkOrder> =>
  api.call('POST /api/v1/alerts/{id}/work-order', { ...id(alertId), body: {} });
export const assignWorkOrder = (
  api: ApiClient,
  workOrderId: string,
  assigneeId: string | null,
): Promise<WorkOrder> =>
  api.call('PATCH /api/v1/work-orders/{id}', { ...id(workOrderId), body: { assigneeId } });
export const moveWorkOrder = (
  api: ApiClient,
  workOrderId: string,
  body: WorkOrderTransition,
): Promise<WorkOrder> => api.call('POST /api/v1/work-orders/{id}/state', { ...id(workOrderId), body });
export const addLine = (api: ApiClient, workOrderId: string, body: NewWorkOrderLine): Promise<WorkOrder> =>
  api.call('POST /api/v1/work-orders/{id}/lines', { ...id(workOrderId), body });
export const removeLine = (api: ApiClient, workOrderId: string, lineId: string): Promise<WorkOrder> =>
  api.call('DELETE /api/v1/work-orders/{id}/lines/{lineId}', { params: { id: workOrderId, lineId } });
export const addTask = (api: ApiClient, workOrderId: string, label: string): Promise<WorkOrder> =>
  api.call('POST /api/v1/work-orders/{id}/tasks', { ...id(workOrderId), body: { label } });
export const setTask = (
  api: ApiClient,
  workOrderId: string,
  taskId: string,
  done: boolean,
): Promise<WorkOrder> =>
  api.call('PATCH /api/v1/work-orders/{id}/tasks/{taskId}', {
    params: { id: workOrderId, taskId },
    body: { done },
  });
export const addNote = (api: ApiClient, workOrderId: string, body: string): Promise<WorkOrder> =>
  api.call('POST /api/v1/work-orders/{id}/notes', { ...id(workOrderId), body: { body } });
export const addAttachment = (
  api: ApiClient,
  workOrderId: string,
  file: { fileName: string; contentType: AttachmentType; dataBase64: string },
): Promise<WorkOrder> =>
  api.call('POST /api/v1/work-orders/{id}/attachments', { ...id(workOrderId), body: file });
export const attachment = (
  api: ApiClient,
  workOrderId: string,
  attachmentId: string,
): Promise<WorkOrderAttachmentData> =>
  api.call('GET /api/v1/work-orders/{id}/attachments/{attachmentId}', {
    params: { id: workOrderId, attachmentId },
  });
export const removeAttachment = async (
  api: ApiClient,
  workOrderId: string,
  attachmentId: string,
): Promise<void> => {
  await api.call('DELETE /api/v1/work-orders/{id}/attachments/{attachmentId}', {
    params: { id: workOrderId, attachmentId },
  });
};
export const workOrderHistory = async (
  api: ApiClient,
  workOrderId: string,
): Promise<WorkOrderHistoryEntry[]> =>
  (await api.call('GET /api/v1/work-orders/{id}/history', id(workOrderId))).items;
