// Devices of the organisation: provisioning (the token is shown once), listing with filters,
// renaming, disabling (the broker drops the device at once), re-issuing a token, and the
// latest state. Every database statement runs under row-level security for the caller's
// organisation, so another organisation's device is simply not found; a user with a department
// scope reaches only the devices on assets of their subtree (domains/assets/device-scope.ts).
import { TELEMETRY_FIELDS } from '@fleet/shared';
import { type Device, DeviceRegistry, RegistryError } from '@fleet/shared/db';
import { z } from 'zod';
import { noSuchDevice, reachDevice } from '../domains/assets/device-scope.ts';
import { installedAssetDirectory } from '../domains/assets/directory.ts';
import { Installations } from '../domains/assets/repository.ts';
import { ApiError, errorBodySchema } from '../http/errors.ts';
import { type AnyRoute, defineRoute, type Principal } from '../http/route.ts';
import { toLiveDevice } from '../live-view.ts';
import { ANY_ROLE, MANAGE_DEVICES } from '../permissions.ts';
import type { ApiContext } from './context.ts';
import {
  deviceIdParam,
  deviceKind,
  deviceLatestSchema,
  devicePageSchema,
  deviceSchema,
  ERROR_RESPONSES,
  fleetLatestSchema,
  iso,
  isoOrNull,
  notFoundResponse,
} from './schemas.ts';

const deviceName = z.string().trim().min(1).max(100);

const errors = ERROR_RESPONSES;
const notFound = notFoundResponse('device');

export function registryError(err: unknown): unknown {
  if (!(err instanceof RegistryError)) return err;
  if (err.code === 'duplicate_name') return new ApiError('conflict', err.message);
  if (err.code === 'unknown_device') return noSuchDevice();
  return new ApiError('validation_failed', err.message);
}

const LATEST_VALUES = TELEMETRY_FIELDS.filter((f) => f.name !== 'seq');

export function deviceRoutes(ctx: ApiContext): AnyRoute[] {
  const registry = (orgId: string) => new DeviceRegistry(ctx.db, orgId);
  const installed = installedAssetDirectory(ctx.db);
  /** After a change: this API's own view is fresh at once (other processes learn by NOTIFY). */
  const changed = <T>(orgId: string, result: T): T => {
    ctx.directory.invalidate(orgId);
    return result;
  };
  const offlineAfterMs = ctx.config.DEVICE_OFFLINE_AFTER_S * 1000;
  const body = (d: Device): z.input<typeof deviceSchema> => ({
    id: d.id,
    kind: d.kind,
    name: d.name,
    createdAt: iso(d.createdAt),
    disabledAt: isoOrNull(d.disabledAt),
    connection: ctx.connectedDevices().has(d.id) ? 'online' : 'offline',
  });
  /** The device, if the caller reaches it (their department scope); 404 like no device otherwise. */
  async function find(principal: Principal, id: string): Promise<Device> {
    await reachDevice(ctx.db, principal, id);
    const device = await registry(principal.orgId).get(id);
    if (!device) throw noSuchDevice();
    return device;
  }
  const change = (
    id: string,
    summary: string,
    description: string,
    apply: (r: DeviceRegistry, deviceId: string) => Promise<Device>,
  ) =>
    defineRoute({
      id,
      method: 'post',
      path: `/api/v1/devices/{id}/${id === 'disableDevice' ? 'disable' : 'enable'}`,
      tag: 'devices',
      summary,
      description,
      access: MANAGE_DEVICES,
      params: deviceIdParam,
      responses: { 200: { description: 'The device', schema: deviceSchema }, ...errors, 404: notFound },
      async handler({ principal, params }) {
        await reachDevice(ctx.db, principal, params.id);
        const device = await apply(registry(principal.orgId), params.id).catch((err: unknown) => {
          throw registryError(err);
        });
        return { status: 200, body: body(changed(principal.orgId, device)) };
      },
    });

  return [
    defineRoute({
      id: 'createDevice',
      method: 'post',
      path: '/api/v1/devices',
      tag: 'devices',
      summary: 'Provision a device',
      description:
        'Returns the device and its MQTT password (token). The token is shown only here; store it in the device.',
      access: MANAGE_DEVICES,
      body: z.strictObject({ name: deviceName, kind: deviceKind }).meta({ id: 'NewDevice' }),
      responses: {
        201: {
          description: 'Provisioned',
          schema: z
            .object({
              device: deviceSchema,
              token: z.string().meta({ description: 'MQTT password; shown once' }),
            })
            .meta({ id: 'ProvisionedDevice' }),
        },
        ...errors,
        409: { description: 'A device with this name exists', schema: errorBodySchema },
      },
      async handler({ principal, body: input }) {
        const { device, token } = await registry(principal.orgId)
          .provision({ orgId: principal.orgId, name: input.name, kind: input.kind })
          .catch((err: unknown) => {
            throw registryError(err);
          });
        return { status: 201, body: { device: body(changed(principal.orgId, device)), token } };
      },
    }),
    defineRoute({
      id: 'listDevices',
      method: 'get',
      path: '/api/v1/devices',
      tag: 'devices',
      summary: "The organisation's devices, by name",
      description:
        'Each with the asset it is installed on now. A user with a department scope sees only the devices installed on assets of their subtree.',
      access: ANY_ROLE,
      query: z
        .strictObject({
          kind: deviceKind.optional(),
          status: z.enum(['online', 'offline', 'disabled']).optional(),
          name: z.string().max(100).optional().meta({ description: 'part of the name, any case' }),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
        })
        .meta({ id: 'DeviceQuery' }),
      responses: {
        200: {
          description: 'A page of devices',
          schema: devicePageSchema,
        },
        ...errors,
      },
      async handler({ principal, query }) {
        // The connected ids go into the query only when the filter needs them.
        const connected =
          query.status === 'online' || query.status === 'offline' ? [...ctx.connectedDevices()] : [];
        // Loaded under the caller's scope: row-level security on assets decides what is in it.
        const assets = await installed.get(principal.orgId);
        const inScope = principal.scopeDepartmentId === undefined ? undefined : [...assets.keys()];
        const online = query.status === 'online' ? connected : undefined;
        const ids =
          inScope === undefined
            ? online
            : online === undefined
              ? inScope
              : inScope.filter((id) => online.includes(id));
        const page = await registry(principal.orgId).page(principal.orgId, {
          kind: query.kind,
          nameContains: query.name,
          disabled: query.status === 'disabled' ? true : query.status === undefined ? undefined : false,
          ids,
          excludeIds: query.status === 'offline' ? connected : undefined,
          limit: query.limit,
          offset: query.offset,
        });
        return {
          status: 200,
          body: {
            items: page.items.map((d) => ({ ...body(d), asset: assets.get(d.id) ?? null })),
            total: page.total,
            limit: query.limit,
            offset: query.offset,
          },
        };
      },
    }),
    defineRoute({
      id: 'getDevice',
      method: 'get',
      path: '/api/v1/devices/{id}',
      tag: 'devices',
      summary: 'One device',
      access: ANY_ROLE,
      params: deviceIdParam,
      responses: { 200: { description: 'The device', schema: deviceSchema }, ...errors, 404: notFound },
      async handler({ principal, params }) {
        return { status: 200, body: body(await find(principal, params.id)) };
      },
    }),
    defineRoute({
      id: 'updateDevice',
      method: 'patch',
      path: '/api/v1/devices/{id}',
      tag: 'devices',
      summary: 'Rename a device',
      access: MANAGE_DEVICES,
      params: deviceIdParam,
      body: z.strictObject({ name: deviceName }).meta({ id: 'DeviceChanges' }),
      responses: {
        200: { description: 'The device', schema: deviceSchema },
        ...errors,
        404: notFound,
        409: { description: 'A device with this name exists', schema: errorBodySchema },
      },
      async handler({ principal, params, body: input }) {
        await reachDevice(ctx.db, principal, params.id);
        const device = await registry(principal.orgId)
          .rename(params.id, input.name)
          .catch((err: unknown) => {
            throw registryError(err);
          });
        return { status: 200, body: body(changed(principal.orgId, device)) };
      },
    }),
    change(
      'disableDevice',
      'Disable a device',
      'The device is disconnected and refused (CONNACK 5) until enabled.',
      (r, id) => r.setDisabled(id, true),
    ),
    change(
      'enableDevice',
      'Enable a disabled device',
      'The device may connect again with its token.',
      (r, id) => r.setDisabled(id, false),
    ),
    defineRoute({
      id: 'reissueDeviceToken',
      method: 'post',
      path: '/api/v1/devices/{id}/token',
      tag: 'devices',
      summary: 'Issue a new token for a device',
      description:
        'The old token stops working at once and the device is disconnected. The new token is shown only here.',
      access: MANAGE_DEVICES,
      params: deviceIdParam,
      responses: {
        200: {
          description: 'The new token',
          schema: z.object({ device: deviceSchema, token: z.string() }).meta({ id: 'ReissuedToken' }),
        },
        ...errors,
        404: notFound,
      },
      async handler({ principal, params }) {
        await reachDevice(ctx.db, principal, params.id);
        const { device, token } = await registry(principal.orgId)
          .reissueToken(params.id)
          .catch((err: unknown) => {
            throw registryError(err);
          });
        return { status: 200, body: { device: body(device), token } };
      },
    }),
    defineRoute({
      id: 'getDeviceLatest',
      method: 'get',
      path: '/api/v1/devices/{id}/latest',
      tag: 'devices',
      summary: 'The latest position, status and values of a device',
      access: ANY_ROLE,
      params: deviceIdParam,
      responses: {
        200: {
          description: 'Latest state; values the device never reported are absent',
          schema: deviceLatestSchema,
        },
        ...errors,
        404: notFound,
      },
      async handler({ principal, params }) {
        // Not cut at the installation, as the live map (/fleet/latest, the hub) shows it too.
        const device = await find(principal, params.id);
        const state = await ctx.liveState.get(device.id);
        const values: Record<string, number | boolean | string | string[]> = {};
        const latest = state?.latest;
        if (latest) {
          for (const f of LATEST_VALUES) {
            const v = latest[f.name];
            if (v !== undefined) values[f.name] = v;
          }
        }
        return {
          status: 200,
          body: {
            ...toLiveDevice(device.id, state, Date.now(), offlineAfterMs),
            valuesAt: latest?.ts ?? null,
            values,
          },
        };
      },
    }),
    defineRoute({
      id: 'getFleetLatest',
      method: 'get',
      path: '/api/v1/fleet/latest',
      tag: 'fleet',
      summary: 'Every device of the organisation with its latest position and status',
      description:
        'Each with the asset it is installed on now. `departmentId` keeps the devices on assets of that department and its sub-departments; a user with a department scope sees only those of their subtree.',
      access: ANY_ROLE,
      query: z
        .strictObject({
          departmentId: z.uuid().optional().meta({
            description: 'only devices installed on assets of this department and its sub-departments',
          }),
        })
        .meta({ id: 'FleetLatestQuery' }),
      responses: {
        200: {
          description: 'The whole fleet',
          schema: fleetLatestSchema,
        },
        ...errors,
      },
      async handler({ principal, query }) {
        const now = Date.now();
        const all = await ctx.directory.list(principal.orgId);
        // Both read under the caller's scope, so a scoped user's map holds only their subtree.
        const assets =
          query.departmentId === undefined
            ? await installed.get(principal.orgId)
            : await new Installations(ctx.db, principal.orgId).installedAssets(query.departmentId);
        const onlyInstalled = query.departmentId !== undefined || principal.scopeDepartmentId !== undefined;
        const devices = onlyInstalled ? all.filter((d) => assets.has(d.id)) : all;
        const states = new Map((await ctx.liveState.list(principal.orgId)).map((s) => [s.deviceId, s]));
        return {
          status: 200,
          body: {
            at: now,
            devices: devices.map((d) => ({
              ...toLiveDevice(d.id, states.get(d.id), now, offlineAfterMs),
              name: d.name,
              kind: d.kind,
              disabled: d.disabledAt !== null,
              asset: assets.get(d.id) ?? null,
            })),
          },
        };
      },
    }),
  ];
}
