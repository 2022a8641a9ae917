// Credentials for the simulated fleet: the devices already in the credentials file are kept (a
// second run connects as the same devices), missing ones are provisioned, named
// sim-vehicle-0001 ... and sim-tag-0001 .... Two ways in, one plan: through the device registry
// (the launcher, before the platform owns the embedded database) or through the REST API
// (a simulator pointed at a running platform).
import type { DeviceKind, DeviceRegistry } from '@fleet/shared/db';
import type { DeviceCredentials } from './runtime/index.ts';

export interface FleetSize {
  vehicles: number;
  equipment: number;
}

export function simDeviceName(kind: DeviceKind, index: number): string {
  return `sim-${kind === 'vehicle' ? 'vehicle' : 'tag'}-${String(index + 1).padStart(4, '0')}`;
}

/** The names the fleet needs that the known credentials do not cover, by kind. */
export function missingDevices(
  known: readonly DeviceCredentials[],
  size: FleetSize,
): { kind: DeviceKind; name: string }[] {
  const names = new Set(known.map((d) => d.name));
  const missing: { kind: DeviceKind; name: string }[] = [];
  for (const [kind, count] of [
    ['vehicle', size.vehicles],
    ['equipment', size.equipment],
  ] as const) {
    for (let i = 0; i < count; i++) {
      const name = simDeviceName(kind, i);
      if (!names.has(name)) missing.push({ kind, name });
    }
  }
  return missing;
}

/** The fleet's devices out of the known ones, in a stable order (vehicles, then tags). */
export function selectFleet(known: readonly DeviceCredentials[], size: FleetSize): DeviceCredentials[] {
  const byName = new Map(known.map((d) => [d.name, d]));
  const out: DeviceCredentials[] = [];
  for (const [kind, count] of [
    ['vehicle', size.vehicles],
    ['equipment', size.equipment],
  ] as const) {
    for (let i = 0; i < count; i++) {
      const d = byName.get(simDeviceName(kind, i));
      if (d) out.push(d);
    }
  }
  return out;
}

/**
 * Provisions what is missing through the registry. A device whose name exists but whose token
 * was lost (credentials file deleted) gets a new token rather than a duplicate.
 */
export async function provisionViaRegistry(
  registry: DeviceRegistry,
  orgId: string,
  known: readonly DeviceCredentials[],
  size: FleetSize,
): Promise<DeviceCredentials[]> {
  const existing = new Map((await registry.list(orgId)).map((d) => [d.name, d]));
  const added: DeviceCredentials[] = [];
  for (const { kind, name } of missingDevices(known, size)) {
    const found = existing.get(name);
    const { device, token } = found
      ? await registry.reissueToken(found.id)
      : await registry.provision({ orgId, name, kind });
    if (device.disabledAt !== null) await registry.setDisabled(device.id, false);
    added.push({ id: device.id, token, kind, name });
  }
  return added;
}

interface ApiDevice {
  id: string;
  name: string;
}

/** Provisions what is missing through the REST API with an administrator's or fleet manager's login. */
export async function provisionViaApi(
  api: { url: string; email: string; password: string },
  known: readonly DeviceCredentials[],
  size: FleetSize,
): Promise<DeviceCredentials[]> {
  const missing = missingDevices(known, size);
  if (missing.length === 0) return [];
  const base = api.url.replace(/\/+$/, '');
  const call = async <T>(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
  };
  const login = await call<{ token?: string; error?: { message: string } }>(
    'POST',
    '/api/v1/auth/login',
    undefined,
    {
      email: api.email,
      password: api.password,
    },
  );
  if (login.status !== 200 || !login.body.token) {
    throw new Error(
      `could not log in to ${base} as ${api.email}: ${login.body.error?.message ?? `HTTP ${login.status}`}`,
    );
  }
  const token = login.body.token;
  const added: DeviceCredentials[] = [];
  for (const { kind, name } of missing) {
    const created = await call<{
      device?: ApiDevice;
      token?: string;
      error?: { code: string; message: string };
    }>('POST', '/api/v1/devices', token, { name, kind });
    if (created.status === 201 && created.body.device && created.body.token) {
      added.push({ id: created.body.device.id, token: created.body.token, kind, name });
      continue;
    }
    if (created.status !== 409) {
      throw new Error(
        `could not provision ${name}: ${created.body.error?.message ?? `HTTP ${created.status}`}`,
      );
    }
    // It exists but its token was lost: find it and issue a new one.
    const page = await call<{ items: ApiDevice[] }>(
      'GET',
      `/api/v1/devices?name=${encodeURIComponent(name)}&limit=50`,
      token,
    );
    const device = page.body.items?.find((d) => d.name === name);
    if (!device) throw new Error(`device ${name} exists but cannot be found`);
    const reissued = await call<{ token?: string }>('POST', `/api/v1/devices/${device.id}/token`, token);
    if (!reissued.body.token)
      throw new Error(`could not issue a new token for ${name} (HTTP ${reissued.status})`);
    await call('POST', `/api/v1/devices/${device.id}/enable`, token);
    added.push({ id: device.id, token: reissued.body.token, kind, name });
  }
  return added;
}
