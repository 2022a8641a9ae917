// Work orders: the workshop's jobs on assets, made by hand, from a due service (a plan), from an
// alert (one click: an engine fault brings its code and description) or from a driver's defect
// report; worked through open -> in progress <-> on hold -> completed (or cancelled), with a
// checklist, parts and labour lines (money exact, in the organisation's currency), notes,
// attachments and the audit log's history. Everyone reads; the workshop and the fleet's owners
// work them; anyone but viewers reports a defect.
import { ApiError, errorBodySchema } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE, REPORT_DEFECTS, WORK_ON_MAINTENANCE } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, empty, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { sniffImage } from '../assets/photo.ts';
import { WorkOrders } from './repository.ts';
import {
  ATTACHMENT_MAX_BYTES,
  attachmentDataSchema,
  attachmentIdParams,
  lineIdParams,
  newAttachmentSchema,
  newLineSchema,
  newNoteSchema,
  newTaskSchema,
  newWorkOrderSchema,
  taskChangesSchema,
  taskIdParams,
  workOrderChangesSchema,
  workOrderFromAlertSchema,
  workOrderHistorySchema,
  workOrderPageSchema,
  workOrderQuerySchema,
  workOrderSchema,
  workOrderTransitionSchema,
} from './schemas.ts';

const errors = { ...ERROR_RESPONSES, 404: notFoundResponse('work order') } as const;
const conflict = {
  description: 'The work order is finished, in another state, or its plan has an unfinished one already',
  schema: errorBodySchema,
} as const;
const NO_WORK_ORDER = 'No such work order.';

/** The type a file's first bytes say it is, of the ones a work order takes. */
export function sniffAttachment(bytes: Uint8Array): string | undefined {
  const image = sniffImage(bytes);
  if (image) return image;
  if (bytes.length >= 5 && Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-')
    return 'application/pdf';
  if (bytes.includes(0)) return undefined;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'text/plain';
  } catch {
    return undefined;
  }
}

export function workOrderRoutes(ctx: ApiContext): AnyRoute[] {
  const orders = (orgId: string) => new WorkOrders(ctx.db, orgId);
  const found = <T>(value: T | undefined): T => {
    if (value === undefined) throw new ApiError('not_found', NO_WORK_ORDER);
    return value;
  };
  const one = {
    200: { description: 'The work order', schema: workOrderSchema },
    ...errors,
    409: conflict,
  } as const;
  return [
    defineRoute({
      id: 'listWorkOrders',
      method: 'get',
      path: '/api/v1/work-orders',
      tag: 'work orders',
      summary: 'Work orders, newest first',
      description:
        "Filters combine; `state` takes a comma list (`state=open,in_progress,on_hold`: the workshop's queue). An asset's service history is `assetId=`. Pages go on with `cursor=<nextCursor>`.",
      access: ANY_ROLE,
      query: workOrderQuerySchema,
      responses: { 200: { description: 'A page', schema: workOrderPageSchema }, ...ERROR_RESPONSES },
      async handler({ principal, query }) {
        return { status: 200, body: await orders(principal.orgId).list(query) };
      },
    }),
    defineRoute({
      id: 'getWorkOrder',
      method: 'get',
      path: '/api/v1/work-orders/{id}',
      tag: 'work orders',
      summary: 'One work order with its checklist, lines, notes and attachments',
      access: ANY_ROLE,
      params: uuidParam,
      responses: { 200: { description: 'The work order', schema: workOrderSchema }, ...errors },
      async handler({ principal, params }) {
        return { status: 200, body: found(await orders(principal.orgId).get(params.id)) };
      },
    }),
    defineRoute({
      id: 'createWorkOrder',
      method: 'post',
      path: '/api/v1/work-orders',
      tag: 'work orders',
      summary: 'Open a work order: by hand, for a service plan, or from a defect report',
      description:
        "With planId it is the plan's service (title and checklist default to the plan's), and completing it restarts the plan's count; a plan has at most one unfinished work order per asset (409). source defect_report records a driver's report (description required; viewers excepted, everyone may report).",
      access: REPORT_DEFECTS,
      body: newWorkOrderSchema,
      responses: { 201: { description: 'Opened', schema: workOrderSchema }, ...errors, 409: conflict },
      async handler({ principal, body }) {
        if (body.source !== 'defect_report' && !WORK_ON_MAINTENANCE.includes(principal.role))
          throw new ApiError(
            'forbidden',
            'Your role may report defects (source defect_report) but not open other work orders.',
          );
        return { status: 201, body: found(await orders(principal.orgId).create(body, principal.userId)) };
      },
    }),
    defineRoute({
      id: 'workOrderFromAlert',
      method: 'post',
      path: '/api/v1/alerts/{id}/work-order',
      tag: 'work orders',
      summary: 'Open a work order from an alert (an engine fault: its code and description attached)',
      description: "The alert's timeline notes the work order; one unfinished work order per alert (409).",
      access: WORK_ON_MAINTENANCE,
      params: uuidParam,
      body: workOrderFromAlertSchema,
      responses: {
        201: { description: 'Opened', schema: workOrderSchema },
        ...ERROR_RESPONSES,
        404: notFoundResponse('alert'),
        409: conflict,
      },
      async handler({ principal, params, body }) {
        const wo = await orders(principal.orgId).fromAlert(params.id, body, principal.userId);
        if (!wo) throw new ApiError('not_found', 'No such alert.');
        return { status: 201, body: wo };
      },
    }),
    defineRoute({
      id: 'updateWorkOrder',
      method: 'patch',
      path: '/api/v1/work-orders/{id}',
      tag: 'work orders',
      summary: 'Change the title, description, priority, assignee or due date of an unfinished work order',
      access: WORK_ON_MAINTENANCE,
      params: uuidParam,
      body: workOrderChangesSchema,
      responses: one,
      async handler({ principal, params, body }) {
        return { status: 200, body: found(await orders(principal.orgId).update(params.id, body)) };
      },
    }),
    defineRoute({
      id: 'transitionWorkOrder',
      method: 'post',
      path: '/api/v1/work-orders/{id}/state',
      tag: 'work orders',
      summary: 'Move a work order on: in_progress, on_hold, open, completed or cancelled',
      description:
        "Completing records the odometer and engine hours (given, or the asset's meters then), checked like any reading: below the last one is a 400 naming the field. For a plan that counts kilometres or hours, one is needed. completedAt records a service done earlier. Completed and cancelled are final (409).",
      access: WORK_ON_MAINTENANCE,
      params: uuidParam,
      body: workOrderTransitionSchema,
      responses: one,
      async handler({ principal, params, body }) {
        return {
          status: 200,
          body: found(await orders(principal.orgId).transition(params.id, body, principal.userId)),
        };
      },
    }),
    defineRoute({
      id: 'addWorkOrderLine',
      method: 'post',
      path: '/api/v1/work-orders/{id}/lines',
      tag: 'work orders',
      summary: 'Add a part, labour or other cost line',
      description:
        'unitCost is a decimal string in the work order\'s currency ("45.00"); quantity is pieces, litres or hours (labour) to three decimals; the line total is rounded half away from zero to a cent.',
      access: WORK_ON_MAINTENANCE,
      params: uuidParam,
      body: newLineSchema,
      responses: { ...one, 201: { description: 'The work order with the line', schema: workOrderSchema } },
      async handler({ principal, params, body }) {
        return { status: 201, body: found(await orders(principal.orgId).addLine(params.id, body)) };
      },
    }),
    defineRoute({
      id: 'removeWorkOrderLine',
      method: 'delete',
      path: '/api/v1/work-orders/{id}/lines/{lineId}',
      tag: 'work orders',
      summary: 'Remove a cost line',
      access: WORK_ON_MAINTENANCE,
      params: lineIdParams,
      responses: one,
      async handler({ principal, params }) {
        return {
          status: 200,
          body: found(await orders(principal.orgId).removeLine(params.id, params.lineId)),
        };
      },
    }),
    defineRoute({
      id: 'addWorkOrderTask',
      method: 'post',
      path: '/api/v1/work-orders/{id}/tasks',
      tag: 'work orders',
      summary: 'Add a checklist item',
      access: WORK_ON_MAINTENANCE,
      params: uuidParam,
      body: newTaskSchema,
      responses: { ...one, 201: { description: 'The work order with the item', schema: workOrderSchema } },
      async handler({ principal, params, body }) {
        return { status: 201, body: found(await orders(principal.orgId).addTask(params.id, body.label)) };
      },
    }),
    defineRoute({
      id: 'updateWorkOrderTask',
      method: 'patch',
      path: '/api/v1/work-orders/{id}/tasks/{taskId}',
      tag: 'work orders',
      summary: 'Tick a checklist item off (or on again)',
      access: WORK_ON_MAINTENANCE,
      params: taskIdParams,
      body: taskChangesSchema,
      responses: one,
      async handler({ principal, params, body }) {
        return {
          status: 200,
          body: found(
            await orders(principal.orgId).setTask(params.id, params.taskId, body.done, principal.userId),
          ),
        };
      },
    }),
    defineRoute({
      id: 'addWorkOrderNote',
      method: 'post',
      path: '/api/v1/work-orders/{id}/notes',
      tag: 'work orders',
      summary: 'Add a note (finished work orders too)',
      access: WORK_ON_MAINTENANCE,
      params: uuidParam,
      body: newNoteSchema,
      responses: { 201: { description: 'The work order with the note', schema: workOrderSchema }, ...errors },
      async handler({ principal, params, body }) {
        return {
          status: 201,
          body: found(await orders(principal.orgId).addNote(params.id, body.body, principal.userId)),
        };
      },
    }),
    defineRoute({
      id: 'addWorkOrderAttachment',
      method: 'post',
      path: '/api/v1/work-orders/{id}/attachments',
      tag: 'work orders',
      summary: 'Attach a photo, PDF or text file (at most 5 MiB, as base64 in JSON)',
      description: "The type is checked by the file's own first bytes, not by what the client says.",
      access: WORK_ON_MAINTENANCE,
      params: uuidParam,
      body: newAttachmentSchema,
      maxBodyBytes: Math.ceil(ATTACHMENT_MAX_BYTES / 3) * 4 + 4096,
      responses: { 201: { description: 'The work order with the file', schema: workOrderSchema }, ...errors },
      async handler({ principal, params, body }) {
        const bytes = Buffer.from(body.dataBase64, 'base64');
        const fail = (message: string) =>
          new ApiError('validation_failed', message, { details: [{ path: 'body.dataBase64', message }] });
        if (bytes.length === 0) throw fail('the file is empty');
        if (bytes.length > ATTACHMENT_MAX_BYTES) throw fail('an attachment is at most 5 MiB');
        const actual = sniffAttachment(bytes);
        if (actual !== body.contentType)
          throw fail(
            actual === undefined
              ? 'the data is none of the accepted file types'
              : `the data is ${actual}, not ${body.contentType}`,
          );
        const wo = await orders(principal.orgId).addAttachment(
          params.id,
          { fileName: body.fileName, contentType: body.contentType, bytes },
          principal.userId,
        );
        return { status: 201, body: found(wo) };
      },
    }),
    defineRoute({
      id: 'getWorkOrderAttachment',
      method: 'get',
      path: '/api/v1/work-orders/{id}/attachments/{attachmentId}',
      tag: 'work orders',
      summary: 'One attachment, as a data URL',
      access: ANY_ROLE,
      params: attachmentIdParams,
      responses: { 200: { description: 'The file', schema: attachmentDataSchema }, ...errors },
      async handler({ principal, params }) {
        const a = await orders(principal.orgId).attachment(params.id, params.attachmentId);
        if (!a) throw new ApiError('not_found', 'No such attachment.');
        return { status: 200, body: a };
      },
    }),
    defineRoute({
      id: 'removeWorkOrderAttachment',
      method: 'delete',
      path: '/api/v1/work-orders/{id}/attachments/{attachmentId}',
      tag: 'work orders',
      summary: 'Remove an attachment',
      access: WORK_ON_MAINTENANCE,
      params: attachmentIdParams,
      responses: { 200: { description: 'Removed', schema: empty }, ...errors },
      async handler({ principal, params }) {
        if (!(await orders(principal.orgId).removeAttachment(params.id, params.attachmentId)))
          throw new ApiError('not_found', 'No such attachment.');
        return { status: 200, body: {} };
      },
    }),
    defineRoute({
      id: 'workOrderHistory',
      method: 'get',
      path: '/api/v1/work-orders/{id}/history',
      tag: 'work orders',
      summary: 'Who changed what, when (from the audit log)',
      access: ANY_ROLE,
      params: uuidParam,
      responses: { 200: { description: 'Oldest first', schema: workOrderHistorySchema }, ...errors },
      async handler({ principal, params }) {
        return { status: 200, body: { items: found(await orders(principal.orgId).history(params.id)) } };
      },
    }),
  ];
}
