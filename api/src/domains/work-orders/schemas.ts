// The work order routes' shapes. Money travels as decimal strings in the work order's currency
// ("45.00"), never as JSON numbers, and is stored as integer minor units. zod and shared pure
// modules only: the console's type check loads this file through api/src/contract.ts.
import { WORK_ORDER_PRIORITIES, WORK_ORDER_SOURCES, WORK_ORDER_STATES } from '@fleet/shared/maintenance';
import { MONEY_PATTERN } from '@fleet/shared/money';
import { z } from 'zod';

export const LINE_KINDS = ['part', 'labour', 'other'] as const;
export const ATTACHMENT_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'application/pdf',
  'text/plain',
] as const;
/** 5 MiB: a scanned invoice or a few photos' worth; the table checks the same. */
export const ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024;

export const workOrderState = z.enum(WORK_ORDER_STATES).meta({ id: 'WorkOrderState' });
const priority = z.enum(WORK_ORDER_PRIORITIES, {
  error: `priority is one of ${WORK_ORDER_PRIORITIES.join(', ')}`,
});
const day = z.iso.date({ error: 'a date as YYYY-MM-DD' });

export const money = z
  .string({ error: 'an amount as a decimal string such as "12.50" (money is never a floating-point number)' })
  .regex(MONEY_PATTERN, 'an amount of 0 or more such as "12.50": digits, at most one point, no sign')
  .meta({ description: 'a decimal amount in the currency, e.g. "45.00"', example: '45.00' });

const quantity = z
  .number({ error: 'quantity is a number (pieces, litres or hours)' })
  .positive('quantity is more than 0')
  .max(999_999_999, 'quantity is at most 999,999,999')
  .refine((q) => Math.abs(q * 1000 - Math.round(q * 1000)) < 1e-6, 'quantity has at most three decimals');

const tasks = z.array(z.string().trim().min(1).max(200)).max(100);

export const newWorkOrderSchema = z
  .strictObject({
    assetId: z.uuid(),
    planId: z
      .uuid()
      .optional()
      .meta({ description: 'the service plan it does (title and checklist default to it)' }),
    source: z
      .enum(['manual', 'defect_report'])
      .optional()
      .meta({ description: 'defect_report: a driver reported a defect; with a plan, service_due is set' }),
    driverId: z.uuid().optional().meta({ description: 'the driver who reported the defect' }),
    title: z.string().trim().min(1).max(200).optional(),
    description: z.string().trim().max(4000).optional(),
    priority: priority.optional(),
    assigneeId: z.uuid().nullable().optional(),
    dueOn: day.nullable().optional(),
    tasks: tasks.optional().meta({ description: "the checklist; default: the plan's items" }),
  })
  .superRefine((b, ctx) => {
    if (b.planId === undefined && b.title === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['title'],
        message: 'title is required unless a planId is given',
      });
    if (b.source === 'defect_report' && (b.description ?? '') === '')
      ctx.addIssue({ code: 'custom', path: ['description'], message: 'a defect report says what is wrong' });
    if (b.driverId !== undefined && b.source !== 'defect_report')
      ctx.addIssue({
        code: 'custom',
        path: ['driverId'],
        message: 'driverId goes with source defect_report',
      });
  })
  .meta({ id: 'NewWorkOrder' });

export const workOrderFromAlertSchema = z
  .strictObject({
    assigneeId: z.uuid().nullable().optional(),
    priority: priority.optional(),
    dueOn: day.nullable().optional(),
  })
  .meta({ id: 'WorkOrderFromAlert' });

export const workOrderChangesSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(200).optional(),
    description: z.string().trim().max(4000).nullable().optional(),
    priority: priority.optional(),
    assigneeId: z.uuid().nullable().optional(),
    dueOn: day.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change')
  .meta({ id: 'WorkOrderChanges' });

export const workOrderTransitionSchema = z
  .strictObject({
    state: workOrderState,
    odometerKm: z.number().min(0, 'odometerKm is 0 or more').max(99_999_999).optional(),
    engineHours: z.number().min(0, 'engineHours is 0 or more').max(9_999_999).optional(),
    completedAt: z.iso
      .datetime({ offset: true, error: 'completedAt is an ISO 8601 time' })
      .optional()
      .meta({ description: 'when the work was done, for a service recorded afterwards; default now' }),
    resolution: z.string().trim().max(4000).optional(),
  })
  .superRefine((b, ctx) => {
    for (const field of ['odometerKm', 'engineHours', 'completedAt'] as const)
      if (b[field] !== undefined && b.state !== 'completed')
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} goes with state completed` });
  })
  .meta({ id: 'WorkOrderTransition' });

export const newLineSchema = z
  .strictObject({
    kind: z.enum(LINE_KINDS, { error: `kind is one of ${LINE_KINDS.join(', ')}` }),
    description: z.string().trim().min(1).max(200),
    partNumber: z.string().trim().min(1).max(60).optional(),
    quantity,
    unitCost: money,
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'currency is an ISO 4217 code such as EUR')
      .optional()
      .meta({ description: "must be the work order's (the organisation's) currency" }),
  })
  .meta({ id: 'NewWorkOrderLine' });

export const newTaskSchema = z
  .strictObject({ label: z.string().trim().min(1).max(200) })
  .meta({ id: 'NewWorkOrderTask' });
export const taskChangesSchema = z.strictObject({ done: z.boolean() }).meta({ id: 'WorkOrderTaskChanges' });
export const newNoteSchema = z
  .strictObject({ body: z.string().trim().min(1).max(4000) })
  .meta({ id: 'NewWorkOrderNote' });

const BASE64_MAX = Math.ceil(ATTACHMENT_MAX_BYTES / 3) * 4;
export const newAttachmentSchema = z
  .strictObject({
    fileName: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine(
        (n) => ![...n].some((c) => c === '/' || c === '\\' || (c.codePointAt(0) ?? 0) < 0x20),
        'fileName has no slashes or control characters',
      ),
    contentType: z.enum(ATTACHMENT_TYPES, { error: `contentType is one of ${ATTACHMENT_TYPES.join(', ')}` }),
    dataBase64: z
      .string()
      .min(4, 'the file is empty')
      .max(BASE64_MAX, 'an attachment is at most 5 MiB')
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'dataBase64 is standard base64, one line')
      .refine((t) => t.length % 4 === 0, 'dataBase64 is padded base64: its length is a multiple of 4'),
  })
  .meta({ id: 'NewWorkOrderAttachment' });

export const lineIdParams = z.strictObject({ id: z.uuid(), lineId: z.uuid() });
export const taskIdParams = z.strictObject({ id: z.uuid(), taskId: z.uuid() });
export const attachmentIdParams = z.strictObject({ id: z.uuid(), attachmentId: z.uuid() });

const totals = z.object({ parts: z.string(), labour: z.string(), other: z.string(), total: z.string() });

export const workOrderSummarySchema = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    reference: z.string().meta({ description: 'WO-42' }),
    asset: z.object({
      id: z.uuid(),
      kind: z.enum(['vehicle', 'equipment']),
      name: z.string(),
      plate: z.string().nullable(),
    }),
    planId: z.uuid().nullable(),
    planName: z.string().nullable(),
    source: z.enum(WORK_ORDER_SOURCES),
    alertId: z.uuid().nullable(),
    driverId: z.uuid().nullable(),
    title: z.string(),
    description: z.string().nullable(),
    priority: z.enum(WORK_ORDER_PRIORITIES),
    state: workOrderState,
    assigneeId: z.uuid().nullable(),
    assigneeName: z.string().nullable(),
    dueOn: z.string().nullable(),
    dtcCode: z.string().nullable(),
    dtcDescription: z.string().nullable(),
    currency: z.string(),
    odometerKm: z.number().nullable().meta({ description: 'at completion' }),
    engineHours: z.number().nullable(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    resolution: z.string().nullable(),
    createdBy: z.uuid().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    totals,
    tasksDone: z.number().int(),
    tasksTotal: z.number().int(),
  })
  .meta({ id: 'WorkOrderSummary' });

export const workOrderLineSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(LINE_KINDS),
    description: z.string(),
    partNumber: z.string().nullable(),
    quantity: z.number(),
    unitCost: z.string(),
    total: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'WorkOrderLine' });

export const workOrderTaskSchema = z
  .object({
    id: z.uuid(),
    position: z.number().int(),
    label: z.string(),
    done: z.boolean(),
    doneAt: z.string().nullable(),
    doneBy: z.uuid().nullable(),
  })
  .meta({ id: 'WorkOrderTask' });

export const workOrderNoteSchema = z
  .object({
    id: z.uuid(),
    authorId: z.uuid().nullable(),
    authorName: z.string().nullable(),
    body: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'WorkOrderNote' });

export const workOrderAttachmentSchema = z
  .object({
    id: z.uuid(),
    fileName: z.string(),
    contentType: z.enum(ATTACHMENT_TYPES),
    bytes: z.number().int(),
    uploadedBy: z.uuid().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'WorkOrderAttachment' });

export const workOrderSchema = workOrderSummarySchema
  .extend({
    lines: z.array(workOrderLineSchema),
    tasks: z.array(workOrderTaskSchema),
    notes: z.array(workOrderNoteSchema),
    attachments: z.array(workOrderAttachmentSchema),
  })
  .meta({ id: 'WorkOrder' });

export const workOrderQuerySchema = z
  .strictObject({
    state: z
      .string()
      .max(80)
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v === '') return undefined;
        const states = v.split(',');
        for (const s of states)
          if (!(WORK_ORDER_STATES as readonly string[]).includes(s)) {
            ctx.addIssue({
              code: 'custom',
              message: `state is a comma list of ${WORK_ORDER_STATES.join(', ')}`,
            });
            return z.NEVER;
          }
        return states as (typeof WORK_ORDER_STATES)[number][];
      }),
    assetId: z.uuid().optional(),
    planId: z.uuid().optional(),
    assigneeId: z.uuid().optional(),
    source: z.enum(WORK_ORDER_SOURCES).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(200).optional(),
  })
  .meta({ id: 'WorkOrderQuery' });

export const workOrderPageSchema = z
  .object({ items: z.array(workOrderSummarySchema), nextCursor: z.string().nullable() })
  .meta({ id: 'WorkOrderPage' });

export const workOrderHistorySchema = z
  .object({
    items: z.array(
      z.object({
        at: z.string(),
        actor: z.string(),
        actorId: z.uuid().nullable(),
        entity: z.string(),
        entityId: z.string(),
        action: z.enum(['create', 'update', 'delete']),
        before: z.record(z.string(), z.unknown()).nullable(),
        after: z.record(z.string(), z.unknown()).nullable(),
      }),
    ),
  })
  .meta({ id: 'WorkOrderHistory' });

export const attachmentDataSchema = workOrderAttachmentSchema
  .extend({ dataUrl: z.string() })
  .meta({ id: 'WorkOrderAttachmentData' });
