// Drivers and crew of the organisation, who drives which vehicle when, and a driver's personal
// data on request (GDPR export and erasure). Everyone reads drivers and assignments; fleet
// managers keep the people, dispatchers hand out the vehicles, administrators answer data
// requests (permissions.ts).

import type { z } from 'zod';
import { columnList, exportRows, RowRefused } from '../../csv/import.ts';
import { referenceTables } from '../../csv/references.ts';
import { collectForExport, csvFileSchema, csvReply, importRoute, runImport } from '../../csv/routes.ts';
import { ApiError, errorBodySchema } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE, ASSIGN_DRIVERS, ERASE_PERSONAL_DATA, MANAGE_DRIVERS } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, iso, isoOrNull, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { type Assignment, DriverAssignments } from './assignments.ts';
import { DEPARTMENTS, DRIVER_COLUMNS, driverImport, existingDrivers, USERS } from './csv.ts';
import { driverPersonalData } from './personal-data.ts';
import { type Driver, Drivers } from './repository.ts';
import {
  assignmentPageSchema,
  assignmentSchema,
  driverChangesSchema,
  driverPageSchema,
  driverQuerySchema,
  driverRemovalSchema,
  driverSchema,
  endAssignmentQuery,
  newAssignmentSchema,
  newDriverSchema,
  pageQuerySchema,
  personalDataSchema,
  purgeQuery,
  vehicleDriverChangeSchema,
  vehicleDriverSchema,
} from './schemas.ts';

const errors = ERROR_RESPONSES;
const noDriver = notFoundResponse('driver');
const noVehicle = notFoundResponse('vehicle');
const noAssignment = notFoundResponse('assignment');
const conflict = (description: string) => ({ description, schema: errorBodySchema }) as const;
const NO_DRIVER = 'No such driver.';

export function driverBody(d: Driver): z.input<typeof driverSchema> {
  return {
    id: d.id,
    name: d.name,
    employeeNumber: d.employeeNumber,
    phone: d.phone,
    email: d.email,
    licenceNumber: d.licenceNumber,
    licenceClasses: d.licenceClasses,
    licenceExpiry: d.licenceExpiry,
    departmentId: d.departmentId,
    userId: d.userId,
    driverCardId: d.driverCardId,
    status: d.status,
    notes: d.notes,
    erased: d.erasedAt !== null,
    erasedAt: isoOrNull(d.erasedAt),
    currentVehicle:
      d.currentVehicle === null ? null : { ...d.currentVehicle, since: iso(d.currentVehicle.since) },
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
  };
}

export function assignmentBody(a: Assignment): z.input<typeof assignmentSchema> {
  return {
    ...a,
    startsAt: iso(a.startsAt),
    endsAt: isoOrNull(a.endsAt),
    createdAt: iso(a.createdAt),
  };
}

/** A page of assignments as both assignment lists answer it. */
function assignmentPageBody(
  page: { items: Parameters<typeof assignmentBody>[0][]; total: number },
  query: { limit: number; offset: number },
) {
  return {
    items: page.items.map(assignmentBody),
    total: page.total,
    limit: query.limit,
    offset: query.offset,
  };
}

export function driverRoutes(ctx: ApiContext): AnyRoute[] {
  const drivers = (orgId: string) => new Drivers(ctx.db, orgId);
  const assignments = (orgId: string) => new DriverAssignments(ctx.db, orgId);

  return [
    defineRoute({
      id: 'listDrivers',
      method: 'get',
      path: '/api/v1/drivers',
      tag: 'drivers',
      summary: "The organisation's drivers and crew",
      description:
        'Filter by department (with its sub-departments), status, part of the name or employee number (`q`) and licences expiring before a day; sort by name, employeeNumber, licenceExpiry or createdAt. Erased drivers are listed (as "Erased driver …", `erased: true`) because their history still counts.',
      access: ANY_ROLE,
      query: driverQuerySchema,
      responses: {
        200: {
          description: 'A page of drivers',
          schema: driverPageSchema,
          alternatives: { 'text/csv': csvFileSchema },
        },
        ...errors,
      },
      async handler({ principal, query }) {
        const filter = {
          departmentId: query.departmentId,
          status: query.status,
          text: query.q,
          licenceExpiresBefore: query.licenceExpiresBefore,
          sort: query.sort,
          order: query.order,
        };
        if (query.format === 'csv') {
          const [all, tables] = await Promise.all([
            collectForExport((limit, offset) => drivers(principal.orgId).page({ ...filter, limit, offset })),
            referenceTables(ctx.db, principal.orgId, [DEPARTMENTS, USERS]),
          ]);
          const file = exportRows(DRIVER_COLUMNS, all.items, tables);
          return csvReply('drivers', file.headers, file.rows, all.truncated);
        }
        const page = await drivers(principal.orgId).page({
          ...filter,
          limit: query.limit,
          offset: query.offset,
        });
        return {
          status: 200,
          body: {
            items: page.items.map(driverBody),
            total: page.total,
            limit: query.limit,
            offset: query.offset,
          },
        };
      },
    }),
    importRoute({
      id: 'importDrivers',
      collection: '/api/v1/drivers',
      label: 'drivers',
      access: MANAGE_DRIVERS,
      columns: columnList(driverImport),
      run: (principal, text, dryRun) =>
        runImport({
          db: ctx.db,
          orgId: principal.orgId,
          text,
          dryRun,
          spec: driverImport,
          tables: [DEPARTMENTS, USERS],
          existing: async () => existingDrivers(await drivers(principal.orgId).identities()),
          write: async ({ creates, updates }) => {
            // Drivers are hundreds, not thousands: the repository's own writes, row by row.
            const repo = drivers(principal.orgId);
            for (const u of updates)
              await repo.update(u.id, u.value).catch((err: unknown) => {
                throw new RowRefused(u.row, err);
              });
            for (const c of creates)
              await repo.create(c.value).catch((err: unknown) => {
                throw new RowRefused(c.row, err);
              });
          },
        }),
    }),
    defineRoute({
      id: 'getDriver',
      method: 'get',
      path: '/api/v1/drivers/{id}',
      tag: 'drivers',
      summary: 'One driver, with the vehicle they have now',
      access: ANY_ROLE,
      params: uuidParam,
      responses: { 200: { description: 'The driver', schema: driverSchema }, ...errors, 404: noDriver },
      async handler({ principal, params }) {
        const driver = await drivers(principal.orgId).get(params.id);
        if (!driver) throw new ApiError('not_found', NO_DRIVER);
        return { status: 200, body: driverBody(driver) };
      },
    }),
    defineRoute({
      id: 'createDriver',
      method: 'post',
      path: '/api/v1/drivers',
      tag: 'drivers',
      summary: 'Add a driver or crew member',
      description:
        'Phone numbers in international form (+358 40 123 4567) are stored as E.164. Employee numbers and card ids are unique in the organisation (409). A department or user account must be of your organisation (400 naming the field); a user account drives as one driver at most.',
      access: MANAGE_DRIVERS,
      body: newDriverSchema,
      responses: {
        201: { description: 'Created', schema: driverSchema },
        ...errors,
        409: conflict('The employee number, card id or user account belongs to another driver'),
      },
      async handler({ principal, body }) {
        return { status: 201, body: driverBody(await drivers(principal.orgId).create(body)) };
      },
    }),
    defineRoute({
      id: 'updateDriver',
      method: 'patch',
      path: '/api/v1/drivers/{id}',
      tag: 'drivers',
      summary: 'Change a driver',
      description:
        'Absent fields stay; null clears. Setting status to inactive ends the ongoing assignment. An erased driver cannot be changed (409).',
      access: MANAGE_DRIVERS,
      params: uuidParam,
      body: driverChangesSchema,
      responses: {
        200: { description: 'The changed driver', schema: driverSchema },
        ...errors,
        404: noDriver,
        409: conflict('Taken by another driver, or the driver was erased'),
      },
      async handler({ principal, params, body }) {
        const driver = await drivers(principal.orgId).update(params.id, body);
        if (!driver) throw new ApiError('not_found', NO_DRIVER);
        return { status: 200, body: driverBody(driver) };
      },
    }),
    defineRoute({
      id: 'deleteDriver',
      method: 'delete',
      path: '/api/v1/drivers/{id}',
      tag: 'drivers',
      summary: 'Deactivate a driver (or purge one made by mistake)',
      description:
        'By default the driver becomes inactive: kept in history, ongoing assignment ended, planned ones dropped. `purge=true` deletes a driver who never had an assignment (409 otherwise). To remove a person’s data, use erase.',
      access: MANAGE_DRIVERS,
      params: uuidParam,
      query: purgeQuery,
      responses: {
        200: { description: 'Deactivated or purged', schema: driverRemovalSchema },
        ...errors,
        404: noDriver,
        409: conflict('The driver has assignments and cannot be purged'),
      },
      async handler({ principal, params, query }) {
        const outcome = await drivers(principal.orgId).remove(params.id, query.purge);
        if (!outcome) throw new ApiError('not_found', NO_DRIVER);
        return { status: 200, body: { id: params.id, outcome } };
      },
    }),
    defineRoute({
      id: 'createDriverAssignment',
      method: 'post',
      path: '/api/v1/drivers/{id}/assignments',
      tag: 'drivers',
      summary: 'Book a driver on a vehicle for a time',
      description:
        'From startsAt (default now) to endsAt (default: until ended). Overlapping another assignment of the vehicle or of the driver is 409; an equipment item, a retired vehicle or another organisation’s is 400 naming vehicleId. To hand a vehicle over now, use POST /api/v1/vehicles/{id}/driver.',
      access: ASSIGN_DRIVERS,
      params: uuidParam,
      body: newAssignmentSchema,
      responses: {
        201: { description: 'Booked', schema: assignmentSchema },
        ...errors,
        404: noDriver,
        409: conflict('Overlaps another assignment, or the driver is inactive or erased'),
      },
      async handler({ principal, params, body }) {
        const assignment = await assignments(principal.orgId).create(params.id, body);
        return { status: 201, body: assignmentBody(assignment) };
      },
    }),
    defineRoute({
      id: 'listDriverAssignments',
      method: 'get',
      path: '/api/v1/drivers/{id}/assignments',
      tag: 'drivers',
      summary: "A driver's assignments, newest first",
      access: ANY_ROLE,
      params: uuidParam,
      query: pageQuerySchema,
      responses: {
        200: { description: 'A page of assignments', schema: assignmentPageSchema },
        ...errors,
        404: noDriver,
      },
      async handler({ principal, params, query }) {
        const page = await assignments(principal.orgId).forDriver(params.id, query);
        return { status: 200, body: assignmentPageBody(page, query) };
      },
    }),
    defineRoute({
      id: 'assignVehicleDriver',
      method: 'post',
      path: '/api/v1/vehicles/{id}/driver',
      tag: 'drivers',
      summary: 'Hand the vehicle to a driver now',
      description:
        "Ends the vehicle's current assignment and the driver's current one (on another vehicle) at the same instant and starts the new one, in one transaction. 201 with the new assignment; 200 with the current one when the driver already has the vehicle. 409 when a planned assignment of either lies ahead.",
      access: ASSIGN_DRIVERS,
      params: uuidParam,
      body: vehicleDriverChangeSchema,
      responses: {
        201: { description: 'The driver has the vehicle from now', schema: assignmentSchema },
        200: { description: 'The driver already had it', schema: assignmentSchema },
        ...errors,
        404: noVehicle,
        409: conflict('A planned assignment lies ahead, the vehicle is retired, or the driver is inactive'),
      },
      async handler({ principal, params, body }) {
        const { assignment, created } = await assignments(principal.orgId).assignNow(
          params.id,
          body.driverId,
        );
        return { status: created ? 201 : 200, body: assignmentBody(assignment) };
      },
    }),
    defineRoute({
      id: 'getVehicleDriver',
      method: 'get',
      path: '/api/v1/vehicles/{id}/driver',
      tag: 'drivers',
      summary: 'Who drives the vehicle now',
      access: ANY_ROLE,
      params: uuidParam,
      responses: {
        200: { description: 'The current driver and assignment (null: nobody)', schema: vehicleDriverSchema },
        ...errors,
        404: noVehicle,
      },
      async handler({ principal, params }) {
        const current = await assignments(principal.orgId).currentOfVehicle(params.id);
        const driver = current && (await drivers(principal.orgId).get(current.driverId));
        return {
          status: 200,
          body: {
            vehicleId: params.id,
            driver: driver ? driverBody(driver) : null,
            assignment: current ? assignmentBody(current) : null,
          },
        };
      },
    }),
    defineRoute({
      id: 'listVehicleAssignments',
      method: 'get',
      path: '/api/v1/vehicles/{id}/assignments',
      tag: 'drivers',
      summary: "A vehicle's drivers over time, newest first",
      access: ANY_ROLE,
      params: uuidParam,
      query: pageQuerySchema,
      responses: {
        200: { description: 'A page of assignments', schema: assignmentPageSchema },
        ...errors,
        404: noVehicle,
      },
      async handler({ principal, params, query }) {
        const page = await assignments(principal.orgId).forVehicle(params.id, query);
        return { status: 200, body: assignmentPageBody(page, query) };
      },
    }),
    defineRoute({
      id: 'endAssignment',
      method: 'post',
      path: '/api/v1/assignments/{id}/end',
      tag: 'drivers',
      summary: 'End an assignment',
      description: 'At `endsAt` (default now). 409 when it has already ended.',
      access: ASSIGN_DRIVERS,
      params: uuidParam,
      query: endAssignmentQuery,
      responses: {
        200: { description: 'The ended assignment', schema: assignmentSchema },
        ...errors,
        404: noAssignment,
        409: conflict('Already ended, or ending later would overlap another assignment'),
      },
      async handler({ principal, params, query }) {
        return {
          status: 200,
          body: assignmentBody(await assignments(principal.orgId).end(params.id, query.endsAt)),
        };
      },
    }),
    defineRoute({
      id: 'exportDriverPersonalData',
      method: 'get',
      path: '/api/v1/drivers/{id}/personal-data',
      tag: 'drivers',
      summary: 'Everything the platform holds about a driver (GDPR access request)',
      description:
        'The profile, the linked user account, every assignment with its vehicle, and every audit entry about the driver or their assignments, read in one transaction.',
      access: ERASE_PERSONAL_DATA,
      params: uuidParam,
      responses: {
        200: { description: 'The export', schema: personalDataSchema },
        ...errors,
        404: noDriver,
      },
      async handler({ principal, params }) {
        const data = await driverPersonalData(ctx.db, principal.orgId, params.id);
        if (!data) throw new ApiError('not_found', NO_DRIVER);
        return {
          status: 200,
          body: {
            exportedAt: new Date().toISOString(),
            driver: driverBody(data.driver),
            userAccount: data.userAccount,
            assignments: data.assignments.map(assignmentBody),
            auditLog: data.auditLog.map((e) => ({ ...e, at: iso(e.at) })),
          },
        };
      },
    }),
    defineRoute({
      id: 'eraseDriver',
      method: 'post',
      path: '/api/v1/drivers/{id}/erase',
      tag: 'drivers',
      summary: "Erase a driver's personal data (GDPR erasure request)",
      description:
        'Name, employee number, phone, email, licence, card id, notes and the user link are removed, here and in the audit log; the driver becomes "Erased driver …", inactive, and cannot be changed again. Assignments stay (attributed to the anonymous driver) so trips and costs stay counted. Repeating it changes nothing.',
      access: ERASE_PERSONAL_DATA,
      params: uuidParam,
      responses: {
        200: { description: 'The erased driver', schema: driverSchema },
        ...errors,
        404: noDriver,
      },
      async handler({ principal, params }) {
        const driver = await drivers(principal.orgId).erase(params.id);
        if (!driver) throw new ApiError('not_found', NO_DRIVER);
        return { status: 200, body: driverBody(driver) };
      },
    }),
  ];
}
