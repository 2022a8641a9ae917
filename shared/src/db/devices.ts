// The device registry: organisations and their devices, with device tokens stored only as a
// hash. The CLI, the broker's authentication, the simulator and the tests all go through here.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { FleetError } from '../errors.ts';
import type { SqlDatabase, SqlParam } from './database.ts';

export type DeviceKind = 'vehicle' | 'equipment';
export const DEVICE_KINDS: readonly DeviceKind[] = ['vehicle', 'equipment'];

export interface Organisation {
  id: string;
  slug: string;
  name: string;
}

export interface Device {
  id: string;
  orgId: string;
  kind: DeviceKind;
  name: string;
  createdAt: Date;
  disabledAt: Date | null;
}

/** What a credential check answers: the device, or why it is refused. */
export type CredentialCheck =
  | { ok: true; device: Device }
  | { ok: false; reason: 'unknown_device' | 'bad_token' | 'device_disabled' };

export class RegistryError extends FleetError {}

/** NOTIFY channel on which the registry announces device changes to every process. */
export const DEVICE_CHANGES_CHANNEL = 'fleet_device_changes';

export interface DeviceChange {
  deviceId: string;
  orgId: string;
  change: 'disabled' | 'enabled' | 'token_reissued';
}

interface DeviceRow {
  id: string;
  org_id: string;
  kind: DeviceKind;
  name: string;
  token_hash: string;
  created_at: Date | string;
  disabled_at: Date | string | null;
}

const DEVICE_COLUMNS = 'id, org_id, kind, name, token_hash, created_at, disabled_at';

/**
 * Device tokens are 256-bit random secrets, so a single SHA-256 is enough to store them
 * (a slow password hash protects guessable secrets; these are not guessable).
 */
export function hashDeviceToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newDeviceToken(): string {
  return `fdt_${randomBytes(32).toString('base64url')}`;
}

function tokenMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(hashDeviceToken(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseDeviceChange(payload: string): DeviceChange | undefined {
  try {
    const v = JSON.parse(payload) as Partial<DeviceChange>;
    if (typeof v.deviceId === 'string' && typeof v.orgId === 'string' && typeof v.change === 'string') {
      return { deviceId: v.deviceId, orgId: v.orgId, change: v.change };
    }
  } catch {
    // not ours: ignore
  }
  return undefined;
}

function toDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    orgId: row.org_id,
    kind: row.kind,
    name: row.name,
    createdAt: new Date(row.created_at),
    disabledAt: row.disabled_at === null ? null : new Date(row.disabled_at),
  };
}

export class DeviceRegistry {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async ensureOrganisation(slug: string, name = slug): Promise<Organisation> {
    const rows = await this.#db.query<Organisation>(
      `insert into organisations (slug, name) values ($1, $2)
       on conflict (slug) do update set slug = excluded.slug
       returning id::text as id, slug, name`,
      [slug, name],
    );
    const org = rows[0];
    if (!org) throw new RegistryError('registry_failed', `could not create organisation ${slug}`);
    return org;
  }

  async findOrganisation(slug: string): Promise<Organisation | undefined> {
    const rows = await this.#db.query<Organisation>(
      'select id::text as id, slug, name from organisations where slug = $1',
      [slug],
    );
    return rows[0];
  }

  /** Creates a device and returns its token: the only time the token exists in clear. */
  async provision(input: {
    orgId: string;
    name: string;
    kind: DeviceKind;
  }): Promise<{ device: Device; token: string }> {
    if (!DEVICE_KINDS.includes(input.kind)) {
      throw new RegistryError('invalid_kind', `kind must be one of ${DEVICE_KINDS.join(', ')}`);
    }
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100)
      throw new RegistryError('invalid_name', 'name must be 1-100 characters');
    const token = newDeviceToken();
    try {
      const rows = await this.#db.query<DeviceRow>(
        `insert into devices (id, org_id, kind, name, token_hash) values ($1, $2, $3, $4, $5)
         returning ${DEVICE_COLUMNS}`,
        [randomUUID(), input.orgId, input.kind, name, hashDeviceToken(token)],
      );
      return { device: toDevice(rows[0] as DeviceRow), token };
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw new RegistryError(
          'duplicate_name',
          `a device named "${name}" already exists in this organisation`,
        );
      }
      throw err;
    }
  }

  async get(id: string): Promise<Device | undefined> {
    const rows = await this.#db.query<DeviceRow>(`select ${DEVICE_COLUMNS} from devices where id = $1`, [id]);
    return rows[0] ? toDevice(rows[0]) : undefined;
  }

  async list(orgId: string, options: { includeDisabled?: boolean } = {}): Promise<Device[]> {
    const rows = await this.#db.query<DeviceRow>(
      `select ${DEVICE_COLUMNS} from devices where org_id = $1 ${options.includeDisabled === false ? 'and disabled_at is null' : ''}
       order by name`,
      [orgId],
    );
    return rows.map(toDevice);
  }

  /** Runs an update of one device and announces the change in the same transaction. */
  async #change(
    id: string,
    change: DeviceChange['change'],
    sql: string,
    params: readonly SqlParam[],
  ): Promise<Device> {
    return this.#db.transaction(async (tx) => {
      const rows = await tx.query<DeviceRow>(sql, params);
      if (!rows[0]) throw new RegistryError('unknown_device', `no device ${id}`);
      const device = toDevice(rows[0]);
      const notice: DeviceChange = { deviceId: device.id, orgId: device.orgId, change };
      await tx.query('select pg_notify($1, $2)', [DEVICE_CHANGES_CHANNEL, JSON.stringify(notice)]);
      return device;
    });
  }

  setDisabled(id: string, disabled: boolean): Promise<Device> {
    return this.#change(
      id,
      disabled ? 'disabled' : 'enabled',
      `update devices set disabled_at = ${disabled ? 'coalesce(disabled_at, now())' : 'null'} where id = $1
       returning ${DEVICE_COLUMNS}`,
      [id],
    );
  }

  async reissueToken(id: string): Promise<{ device: Device; token: string }> {
    const token = newDeviceToken();
    const device = await this.#change(
      id,
      'token_reissued',
      `update devices set token_hash = $2 where id = $1 returning ${DEVICE_COLUMNS}`,
      [id, hashDeviceToken(token)],
    );
    return { device, token };
  }

  /** Follows device changes made by any process (CLI, API) on the same database. */
  watchChanges(handler: (change: DeviceChange) => void): Promise<() => Promise<void>> {
    return this.#db.listen(DEVICE_CHANGES_CHANNEL, (payload) => {
      const change = parseDeviceChange(payload);
      if (change) handler(change);
    });
  }

  async checkCredentials(id: string, token: string): Promise<CredentialCheck> {
    const rows = await this.#db.query<DeviceRow>(`select ${DEVICE_COLUMNS} from devices where id = $1`, [id]);
    const row = rows[0];
    if (!row) return { ok: false, reason: 'unknown_device' };
    if (!tokenMatches(token, row.token_hash)) return { ok: false, reason: 'bad_token' };
    if (row.disabled_at !== null) return { ok: false, reason: 'device_disabled' };
    return { ok: true, device: toDevice(row) };
  }
}
