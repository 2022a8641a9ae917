// Vehicles and equipment items of the organisation, and the installations of devices on them.
// Everyone reads; admins and fleet managers (MANAGE_ASSETS) change them. DELETE retires: the
// asset leaves the default lists, its devices come off, and its history stays. A user with a
// department scope sees (and changes) only the assets of their department's subtree: the
// database's policy filters, these handlers only answer 404 for what it hides.
import type { z } from 'zod';
import { columnList, exportRows, type ImportSpec } from '../../csv/import.ts';
import { referenceTables } from '../../csv/references.ts';
import { collectForExport, csvFileSchema, csvReply, importRoute, runImport } from '../../csv/routes.ts';
import { ApiError, errorBodySchema } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE, MANAGE_ASSETS } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import {
  deviceIdParam,
  ERROR_RESPONSES,
  iso,
  isoOrNull,
  notFoundResponse,
  uuidParam,
} from '../../routes/schemas.ts';
import { DEPARTMENTS, equipmentImport, existingAssets, PLACES, vehicleImport } from './csv.ts';
import { noSuchDevice, reachDevice } from './device-scope.ts';
import { installedAssetDirectory } from './directory.ts';
import { vehiclePhotoRoutes } from './photo.ts';
import { type Asset, Assets, type Installation, Installations, notFound } from './repository.ts';
import {
  type AssetChanges,
  type AssetKind,
  endInstallationSchema,
  equipmentChangesSchema,
  equipmentPageSchema,
  equipmentQuerySchema,
  equipmentSchema,
  installationListSchema,
  installationSchema,
  type NewAsset,
  newEquipmentSchema,
  newInstallationSchema,
  newVehicleSchema,
  vehicleChangesSchema,
  vehiclePageSchema,
  vehicleQuerySchema,
  vehicleSchema,
} from './schemas.ts';
import { assetTelemetryRoutes } from './telemetry.ts';

const errors = ERROR_RESPONSES;
const duplicate = (what: string) =>
  ({ description: `${what}, or the request conflicts with its state`, schema: errorBodySchema }) as const;

function common(a: Asset) {
  return {
    id: a.id,
    name: a.name,
    departmentId: a.departmentId,
    homePlaceId: a.homePlaceId,
    notes: a.notes,
    deviceIds: a.deviceIds,
    hasPhoto: a.hasPhoto,
    offlineAfterS: a.offlineAfterS,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
    retiredAt: isoOrNull(a.retiredAt),
  };
}

export function vehicleBody(a: Asset): z.input<typeof vehicleSchema> {
  return {
    ...common(a),
    kind: 'vehicle',
    // The response schema checks it: a vehicle is never "lost" (the API refuses it).
    status: a.status as z.input<typeof vehicleSchema>['status'],
    plate: a.plate,
    vin: a.vin,
    make: a.make,
    model: a.model,
    year: a.year,
    fuelType: a.fuelType,
    tankCapacityL: a.tankCapacityL,
    odometerOffsetKm: a.odometerOffsetKm,
    engineHoursOffset: a.engineHoursOffset,
    speedLimitKmh: a.speedLimitKmh,
    licenceClass: a.licenceClass,
  };
}

export function equipmentBody(a: Asset): z.input<typeof equipmentSchema> {
  return {
    ...common(a),
    kind: 'equipment',
    status: a.status,
    category: a.category ?? '',
    serialNumber: a.serialNumber,
    replacementValue: a.replacementValue,
    currency: a.currency,
  };
}

export function installationBody(i: Installation): z.input<typeof installationSchema> {
  return {
    id: i.id,
    assetId: i.assetId,
    assetKind: i.assetKind,
    assetName: i.assetName,
    deviceId: i.deviceId,
    deviceName: i.deviceName,
    installedAt: iso(i.installedAt),
    removedAt: isoOrNull(i.removedAt),
    note: i.note,
  };
}

type ItemBody = z.input<typeof vehicleSchema> | z.input<typeof equipmentSchema>;
/** Either kind's page, as the route's body type sees it (the server checks the real schema). */
type PageBody = { items: ItemBody[]; total: number; limit: number; offset: number };

/** What differs between the vehicle and the equipment routes. */
interface KindSpec {
  kind: AssetKind;
  /** Path segment: vehicles, equipment. */
  collection: string;
  /** In operation ids: Vehicle, EquipmentItem. */
  singular: string;
  plural: string;
  label: string;
  querySchema: typeof vehicleQuerySchema | typeof equipmentQuerySchema;
  newSchema: z.ZodType<NewAsset>;
  changesSchema: z.ZodType<AssetChanges>;
  itemSchema: typeof vehicleSchema | typeof equipmentSchema;
  pageSchema: z.ZodType<unknown, PageBody>;
  body(a: Asset): ItemBody;
  duplicates: string;
  /** The CSV columns and import rules (csv.ts). */
  csv: ImportSpec<Asset, NewAsset, AssetChanges>;
}

function kindRoutes(ctx: ApiContext, spec: KindSpec): AnyRoute[] {
  const assets = (orgId: string) => new Assets(ctx.db, orgId);
  const directory = installedAssetDirectory(ctx.db);
  const missing = notFoundResponse(spec.label);
  const base = `/api/v1/${spec.collection}`;
  const tag = 'assets';
  const changed = <T>(orgId: string, result: T): T => {
    directory.invalidate(orgId);
    return result;
  };
  return [
    defineRoute({
      id: `list${spec.plural}`,
      method: 'get',
      path: base,
      tag,
      summary: `The organisation's ${spec.collection}, filtered, sorted and paged`,
      description:
        'Retired ones are left out unless `status=retired`. `departmentId` includes its sub-departments; `q` matches part of the name (any case) and of the identifiers (a plate ignoring spaces and dashes).',
      access: ANY_ROLE,
      query: spec.querySchema,
      responses: {
        200: {
          description: `A page of ${spec.collection}`,
          schema: spec.pageSchema,
          alternatives: { 'text/csv': csvFileSchema },
        },
        ...errors,
      },
      async handler({ principal, query }) {
        if (query.format === 'csv') {
          const [all, tables] = await Promise.all([
            collectForExport((limit, offset) =>
              assets(principal.orgId).page(spec.kind, { ...query, limit, offset }),
            ),
            referenceTables(ctx.db, principal.orgId, [DEPARTMENTS, PLACES]),
          ]);
          const file = exportRows(spec.csv.columns, all.items, tables);
          return csvReply(spec.collection, file.headers, file.rows, all.truncated);
        }
        const page = await assets(principal.orgId).page(spec.kind, query);
        return {
          status: 200,
          body: {
            items: page.items.map(spec.body),
            total: page.total,
            limit: query.limit,
            offset: query.offset,
          },
        };
      },
    }),
    importRoute({
      id: `import${spec.plural}`,
      collection: base,
      label: spec.collection,
      access: MANAGE_ASSETS,
      columns: columnList(spec.csv),
      async run(principal, text, dryRun) {
        const repo = assets(principal.orgId);
        const summary = await runImport({
          db: ctx.db,
          orgId: principal.orgId,
          text,
          dryRun,
          spec: spec.csv,
          tables: [DEPARTMENTS, PLACES],
          existing: async () => existingAssets(await repo.identities(spec.kind)),
          // As POST does: a scoped user's new asset goes to their department unless the row names one.
          write: ({ creates, updates }) =>
            repo.importRows(
              spec.kind,
              creates.map((c) => ({
                row: c.row,
                value: {
                  ...c.value,
                  departmentId: c.value.departmentId ?? principal.scopeDepartmentId ?? null,
                },
              })),
              updates,
            ),
        });
        if (!dryRun) directory.invalidate(principal.orgId);
        return summary;
      },
    }),
    defineRoute({
      id: `get${spec.singular}`,
      method: 'get',
      path: `${base}/{id}`,
      tag,
      summary: `One ${spec.label}`,
      access: ANY_ROLE,
      params: uuidParam,
      responses: {
        200: { description: `The ${spec.label}`, schema: spec.itemSchema },
        ...errors,
        404: missing,
      },
      async handler({ principal, params }) {
        const asset = await assets(principal.orgId).get(spec.kind, params.id);
        if (!asset) throw notFound(spec.kind);
        return { status: 200, body: spec.body(asset) };
      },
    }),
    defineRoute({
      id: `create${spec.singular}`,
      method: 'post',
      path: base,
      tag,
      summary: `Add a ${spec.label}`,
      description:
        'A user with a department scope adds it to their own department unless they name one below it.',
      access: MANAGE_ASSETS,
      body: spec.newSchema,
      responses: {
        201: { description: 'Added', schema: spec.itemSchema },
        ...errors,
        409: duplicate(spec.duplicates),
      },
      async handler({ principal, body }) {
        const input = { ...body, departmentId: body.departmentId ?? principal.scopeDepartmentId ?? null };
        const asset = await assets(principal.orgId).create(input);
        return { status: 201, body: spec.body(changed(principal.orgId, asset)) };
      },
    }),
    defineRoute({
      id: `update${spec.singular}`,
      method: 'patch',
      path: `${base}/{id}`,
      tag,
      summary: `Change a ${spec.label}`,
      description: 'Absent fields stay; null clears one. `status: "retired"` retires it as DELETE does.',
      access: MANAGE_ASSETS,
      params: uuidParam,
      body: spec.changesSchema,
      responses: {
        200: { description: `The changed ${spec.label}`, schema: spec.itemSchema },
        ...errors,
        404: missing,
        409: duplicate(spec.duplicates),
      },
      async handler({ principal, params, body }) {
        const asset = await assets(principal.orgId).update(spec.kind, params.id, body);
        if (!asset) throw notFound(spec.kind);
        return { status: 200, body: spec.body(changed(principal.orgId, asset)) };
      },
    }),
    defineRoute({
      id: `retire${spec.singular}`,
      method: 'delete',
      path: `${base}/{id}`,
      tag,
      summary: `Retire a ${spec.label}`,
      description:
        'Not a delete: the status becomes retired (retiredAt set), the devices on it come off now, and its history, installations and costs stay. It lists with `status=retired`; PATCH a status to bring it back.',
      access: MANAGE_ASSETS,
      params: uuidParam,
      responses: {
        200: { description: `The retired ${spec.label}`, schema: spec.itemSchema },
        ...errors,
        404: missing,
      },
      async handler({ principal, params }) {
        const asset = await assets(principal.orgId).retire(spec.kind, params.id);
        if (!asset) throw notFound(spec.kind);
        return { status: 200, body: spec.body(changed(principal.orgId, asset)) };
      },
    }),
  ];
}

function installationRoutes(ctx: ApiContext): AnyRoute[] {
  const installations = (orgId: string) => new Installations(ctx.db, orgId);
  const directory = installedAssetDirectory(ctx.db);
  const conflict = {
    description: 'Already installed here, the asset is retired, or the times overlap another installation',
    schema: errorBodySchema,
  } as const;
  const list = (items: Installation[]) =>
    ({ status: 200, body: { items: items.map(installationBody) } }) as const;
  return [
    defineRoute({
      id: 'installDevice',
      method: 'post',
      path: '/api/v1/assets/{id}/installations',
      tag: 'assets',
      summary: 'Install a device on a vehicle or equipment item',
      description:
        'From `installedAt` (default now; not in the future). A device still on another asset comes off it at that instant, in the same transaction: moving a tracker to another van is this one call. An asset may carry several devices (a GPS tracker, an OBD dongle, a tag).',
      access: MANAGE_ASSETS,
      params: uuidParam,
      body: newInstallationSchema,
      responses: {
        201: { description: 'Installed', schema: installationSchema },
        ...errors,
        404: notFoundResponse('asset'),
        409: conflict,
      },
      async handler({ principal, params, body }) {
        const installed = await installations(principal.orgId).install(params.id, {
          deviceId: body.deviceId,
          installedAt: Math.min(body.installedAt ?? Date.now(), Date.now()),
          note: body.note ?? null,
        });
        directory.invalidate(principal.orgId);
        return { status: 201, body: installationBody(installed) };
      },
    }),
    defineRoute({
      id: 'endInstallation',
      method: 'post',
      path: '/api/v1/installations/{id}/end',
      tag: 'assets',
      summary: 'Take a device off its asset',
      description: 'At `removedAt` (default now; after it was installed, not in the future).',
      access: MANAGE_ASSETS,
      params: uuidParam,
      body: endInstallationSchema,
      responses: {
        200: { description: 'Ended', schema: installationSchema },
        ...errors,
        404: notFoundResponse('installation'),
        409: { description: 'It has ended already', schema: errorBodySchema },
      },
      async handler({ principal, params, body }) {
        const ended = await installations(principal.orgId).end(
          params.id,
          Math.min(body.removedAt ?? Date.now(), Date.now()),
        );
        if (!ended) throw new ApiError('not_found', 'No such installation.');
        directory.invalidate(principal.orgId);
        return { status: 200, body: installationBody(ended) };
      },
    }),
    defineRoute({
      id: 'listAssetInstallations',
      method: 'get',
      path: '/api/v1/assets/{id}/installations',
      tag: 'assets',
      summary: 'Which devices a vehicle or equipment item has carried, newest first',
      access: ANY_ROLE,
      params: uuidParam,
      responses: {
        200: { description: 'Installations', schema: installationListSchema },
        ...errors,
        404: notFoundResponse('asset'),
      },
      async handler({ principal, params }) {
        const items = await installations(principal.orgId).ofAsset(params.id);
        if (!items) throw notFound(undefined);
        return list(items);
      },
    }),
    defineRoute({
      id: 'listDeviceInstallations',
      method: 'get',
      path: '/api/v1/devices/{id}/installations',
      tag: 'assets',
      summary: 'Which assets a device has been installed on, newest first',
      description:
        'A user with a department scope reaches only a device installed now on an asset of their subtree, and sees its installations on assets of that subtree.',
      access: ANY_ROLE,
      params: deviceIdParam,
      responses: {
        200: { description: 'Installations', schema: installationListSchema },
        ...errors,
        404: notFoundResponse('device'),
      },
      async handler({ principal, params }) {
        await reachDevice(ctx.db, principal, params.id);
        const items = await installations(principal.orgId).ofDevice(params.id);
        if (!items) throw noSuchDevice();
        return list(items);
      },
    }),
  ];
}

export function assetRoutes(ctx: ApiContext): AnyRoute[] {
  return [
    ...kindRoutes(ctx, {
      kind: 'vehicle',
      collection: 'vehicles',
      singular: 'Vehicle',
      plural: 'Vehicles',
      label: 'vehicle',
      querySchema: vehicleQuerySchema,
      newSchema: newVehicleSchema,
      changesSchema: vehicleChangesSchema,
      itemSchema: vehicleSchema,
      pageSchema: vehiclePageSchema,
      body: vehicleBody,
      duplicates: 'A vehicle with this plate or VIN exists',
      csv: vehicleImport,
    }),
    ...kindRoutes(ctx, {
      kind: 'equipment',
      collection: 'equipment',
      singular: 'EquipmentItem',
      plural: 'Equipment',
      label: 'equipment item',
      querySchema: equipmentQuerySchema,
      newSchema: newEquipmentSchema,
      changesSchema: equipmentChangesSchema,
      itemSchema: equipmentSchema,
      pageSchema: equipmentPageSchema,
      body: equipmentBody,
      duplicates: 'An item of this category with this serial number exists',
      csv: equipmentImport,
    }),
    ...vehiclePhotoRoutes(ctx),
    ...installationRoutes(ctx),
    ...assetTelemetryRoutes(ctx),
  ];
}
