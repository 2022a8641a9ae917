// `fleet devices ...`: provision, list, disable and re-key devices. The same DeviceRegistry the
// broker authenticates against; the simulator and the tests provision through it too.
import { DEMO_ORGANISATION, FleetError } from '@fleet/shared';
import {
  DEVICE_KINDS,
  type Device,
  type DeviceKind,
  DeviceRegistry,
  type SqlDatabase,
} from '@fleet/shared/db';

export interface Output {
  out(line: string): void;
}

async function orgId(registry: DeviceRegistry, slug: string): Promise<string> {
  const org = await registry.findOrganisation(slug);
  if (!org) throw new FleetError('unknown_organisation', `no organisation "${slug}"`);
  return org.id;
}

function parseKind(kind: string): DeviceKind {
  if (!DEVICE_KINDS.includes(kind as DeviceKind)) {
    throw new FleetError('invalid_kind', `--kind must be one of: ${DEVICE_KINDS.join(', ')} (got "${kind}")`);
  }
  return kind as DeviceKind;
}

function deviceJson(d: Device) {
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    createdAt: d.createdAt.toISOString(),
    disabledAt: d.disabledAt?.toISOString() ?? null,
  };
}

export async function addDevice(
  db: SqlDatabase,
  o: Output,
  args: { name: string; kind: string; org?: string; json?: boolean },
): Promise<void> {
  const registry = new DeviceRegistry(db);
  const { device, token } = await registry.provision({
    orgId: await orgId(registry, args.org ?? DEMO_ORGANISATION),
    name: args.name,
    kind: parseKind(args.kind),
  });
  if (args.json) {
    o.out(JSON.stringify({ ...deviceJson(device), token }));
    return;
  }
  o.out(`Provisioned ${device.kind} "${device.name}"`);
  o.out(`  device id (MQTT username and client id): ${device.id}`);
  o.out(`  token (MQTT password, shown only now):    ${token}`);
}

export async function listDevices(
  db: SqlDatabase,
  o: Output,
  args: { org?: string; json?: boolean },
): Promise<void> {
  const registry = new DeviceRegistry(db);
  const devices = await registry.list(await orgId(registry, args.org ?? DEMO_ORGANISATION));
  if (args.json) {
    o.out(JSON.stringify(devices.map(deviceJson)));
    return;
  }
  if (devices.length === 0) {
    o.out('No devices yet. Add one: npm run fleet -- devices add --name van-7 --kind vehicle');
    return;
  }
  const rows = devices.map((d) => [d.id, d.kind, d.disabledAt ? 'disabled' : 'active', d.name]);
  const widths = [36, 9, 8];
  o.out(['ID', 'KIND', 'STATUS', 'NAME'].map((h, i) => h.padEnd(widths[i] ?? 0)).join('  '));
  for (const r of rows) o.out(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
}

export async function setDeviceDisabled(
  db: SqlDatabase,
  o: Output,
  id: string,
  disabled: boolean,
): Promise<void> {
  const device = await new DeviceRegistry(db).setDisabled(id, disabled);
  o.out(`${disabled ? 'Disabled' : 'Enabled'} "${device.name}" (${device.id})`);
}

export async function reissueToken(db: SqlDatabase, o: Output, id: string, json = false): Promise<void> {
  const { device, token } = await new DeviceRegistry(db).reissueToken(id);
  if (json) o.out(JSON.stringify({ ...deviceJson(device), token }));
  else o.out(`New token for "${device.name}" (${device.id}), shown only now:\n  ${token}`);
}
