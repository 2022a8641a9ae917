// Maintenance in the words the workshop reads: service levels, work order states, priorities,
// sources, cost lines, meters. The value lists are @fleet/shared/maintenance's own (a module
// without imports, so nothing else reaches the bundle); the `Record`s make a value added there
// fail the console's type check until it has words here.
import {
  SERVICE_LEVELS,
  type ServiceLevel,
  WORK_ORDER_PRIORITIES,
  WORK_ORDER_SOURCES,
  WORK_ORDER_STATES,
  type WorkOrderPriority,
  type WorkOrderSource,
  type WorkOrderState,
} from '@fleet/shared/maintenance';
import type { LineKind } from '../api/maintenance.ts';

export { SERVICE_LEVELS, WORK_ORDER_PRIORITIES, WORK_ORDER_SOURCES, WORK_ORDER_STATES };

export const LEVEL_LABELS: Record<ServiceLevel, string> = {
  ok: 'OK',
  due_soon: 'Due soon',
  due: 'Due',
  overdue: 'Overdue',
};

/** Most urgent first, as the board orders its rows and its chips. */
export const LEVELS_BY_URGENCY: readonly ServiceLevel[] = ['overdue', 'due', 'due_soon', 'ok'];

export const STATE_LABELS: Record<WorkOrderState, string> = {
  open: 'Open',
  in_progress: 'In progress',
  on_hold: 'On hold',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

export const PRIORITY_LABELS: Record<WorkOrderPriority, string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  urgent: 'Urgent',
};

export const SOURCE_LABELS: Record<WorkOrderSource, string> = {
  manual: 'By hand',
  service_due: 'Service due',
  alert: 'From an alert',
  defect_report: 'Defect report',
};

export const LINE_KIND_LABELS: Record<LineKind, string> = {
  part: 'Part',
  labour: 'Labour',
  other: 'Other',
};

export const METER_LABELS = { odometer: 'Odometer', engine_hours: 'Engine hours' } as const;
export const METER_SOURCE_LABELS = {
  telemetry: 'from the device',
  manual: 'entered by hand',
  work_order: 'at a work order',
} as const;
export const FLAG_LABELS = {
  backwards: 'went backwards',
  jump: 'jumped further than the asset can go',
} as const;

/** The audit log's entities of a work order's history (api/src/domains/work-orders/repository.ts). */
const HISTORY_ENTITIES: Readonly<Record<string, string>> = {
  work_order: 'Work order',
  work_order_line: 'Cost line',
  work_order_task: 'Checklist item',
  work_order_note: 'Note',
  work_order_attachment: 'Attachment',
};

export function historyEntity(entity: string): string {
  return HISTORY_ENTITIES[entity] ?? entity.replaceAll('_', ' ');
}
