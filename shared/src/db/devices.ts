// The device registry: organisations and their devices, with device tokens stored only as a
// hash. The CLI, the broker's authentication, the simulator and the tests all go through here.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { FleetError } from '../errors.ts';
import { DEVICE_KINDS, type DeviceKind } from '../live.ts';
import type { DistanceUnit, WorkingHours } from '../organisation-settings.ts';
import { DEFAULT_TIME_ZONE, isTimeZoneName } from '../time-zone.ts';
import { inAuditedTransaction } from './audit.ts';
import type { SqlDatabase, SqlExecutor, SqlParam } from './database.ts';
import { inTenant } from './tenant.ts';

export { DEVICE_KINDS, type DeviceKind };

export interface Organisation {
  id: string;
  slug: string;
  name: string;
  /** IANA time zone name (shared/src/time-zone.ts) in which the console shows times. */
  timeZone: string;
  workingHours: WorkingHours;
  distanceUnit: DistanceUnit;
  /** ISO 4217 code. */
  currency: string;
  /** Set while the organisation is suspended by a platform operator. */
  suspendedAt: Date | null;
  /** Administrators must sign in with a second factor (api/src/domains/mfa). */
  mfaRequiredForAdmins: boolean;
}

/** What an administrator may change about their organisation; absent fields stay as they are. */
export interface OrganisationChanges {
  name?: string | undefined;
  timeZone?: string | undefined;
  workingHours?: WorkingHours | undefined;
  distanceUnit?: DistanceUnit | undefined;
  currency?: string | undefined;
  mfaRequiredForAdmins?: boolean | undefined;
}

export const ORGANISATION_COLUMNS =
  'id::text as id, slug, name, time_zone as "timeZone", working_hours as "workingHours", distance_unit as "distanceUnit", currency, suspended_at as "suspendedAt", mfa_required_for_admins as "mfaRequiredForAdmins"';

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
  | { ok: false; reason: 'unknown_device' | 'bad_token' | 'device_disabled' | 'organisation_suspended' };

export class RegistryError extends FleetError {}

/** NOTIFY channel on which the registry announces device changes to every process. */
export const DEVICE_CHANGES_CHANNEL = 'fleet_device_changes';

export interface DeviceChange {
  deviceId: string;
  orgId: string;
  change: 'provisioned' | 'disabled' | 'enabled' | 'token_reissued' | 'updated' | 'deleted';
}

/**
 * What the broker's credential directory keeps of a device (broker/src/credential-directory.ts):
 * the device, the SHA-256 of its token as stored, and whether its organisation is suspended.
 * The hash of a 256-bit random token is as safe in memory as it is in the table.
 */
export interface DeviceCredential {
  device: Device;
  tokenHash: string;
  orgSuspended: boolean;
}

/** A page of devices and the number of devices that match the filter. */
export interface DevicePage {
  items: Device[];
  total: number;
}

export interface DeviceFilter {
  kind?: DeviceKind | undefined;
  /** Case-insensitive substring of the name. */
  nameContains?: string | undefined;
  disabled?: boolean | undefined;
  /** Only these ids (e.g. the devices connected right now). */
  ids?: readonly string[] | undefined;
  /** Not these ids (e.g. connected devices, for "offline"). */
  excludeIds?: readonly string[] | undefined;
  limit: number;
  offset: number;
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

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100)
    throw new RegistryError('invalid_name', 'name must be 1-100 characters');
  return trimmed;
}

function checkTimeZone(timeZone: string): string {
  if (!isTimeZoneName(timeZone))
    throw new RegistryError('invalid_time_zone', `unknown time zone "${timeZone.slice(0, 64)}"`);
  return timeZone;
}

function duplicateName(err: unknown, name: string): unknown {
  return (err as { code?: string }).code === '23505'
    ? new RegistryError('duplicate_name', `a device named "${name}" already exists in this organisation`)
    : err;
}

/** Announces a change to every process on the same database, when the transaction commits. */
async function notify(tx: SqlExecutor, change: DeviceChange): Promise<void> {
  await tx.query('select pg_notify($1, $2)', [DEVICE_CHANGES_CHANNEL, JSON.stringify(change)]);
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

/**
 * Without an organisation the registry works as the system (the broker's authentication, the
 * CLI); with one, every statement runs inside `inTenant`, under row-level security, so a
 * device of another organisation is invisible whatever id is asked for.
 */
export class DeviceRegistry {
  readonly #db: SqlDatabase;
  readonly #orgId: string | undefined;

  constructor(db: SqlDatabase, orgId?: string) {
    this.#db = db;
    this.#orgId = orgId;
  }

  #read<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#orgId === undefined ? fn(this.#db) : inTenant(this.#db, this.#orgId, fn);
  }

  #write<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#orgId === undefined
      ? inAuditedTransaction(this.#db, fn)
      : inTenant(this.#db, this.#orgId, fn);
  }

  #checkOrg(orgId: string): void {
    if (this.#orgId !== undefined && orgId !== this.#orgId)
      throw new RegistryError('wrong_organisation', 'a tenant registry works only on its own organisation');
  }

  /**
   * Creates the organisation unless it exists; `name` and `timeZone` apply only when it is
   * created, so what an administrator changed since stays.
   */
  async ensureOrganisation(
    slug: string,
    name = slug,
    options: { timeZone?: string } = {},
  ): Promise<Organisation> {
    const timeZone = checkTimeZone(options.timeZone ?? DEFAULT_TIME_ZONE);
    const rows = await inAuditedTransaction(this.#db, (tx) =>
      tx.query<Organisation>(
        `insert into organisations (slug, name, time_zone) values ($1, $2, $3)
         on conflict (slug) do update set slug = excluded.slug
         returning ${ORGANISATION_COLUMNS}`,
        [slug, name, timeZone],
      ),
    );
    const org = rows[0];
    if (!org) throw new RegistryError('registry_failed', `could not create organisation ${slug}`);
    return org;
  }

  async findOrganisation(slug: string): Promise<Organisation | undefined> {
    const rows = await this.#db.query<Organisation>(
      `select ${ORGANISATION_COLUMNS} from organisations where slug = $1`,
      [slug],
    );
    return rows[0];
  }

  /**
   * Renames the organisation and/or sets its time zone (an IANA name, else `invalid_time_zone`).
   * Undefined when there is no such organisation; a tenant registry changes only its own.
   */
  async updateOrganisation(orgId: string, changes: OrganisationChanges): Promise<Organisation | undefined> {
    this.#checkOrg(orgId);
    const name = changes.name === undefined ? null : checkName(changes.name);
    const timeZone = changes.timeZone === undefined ? null : checkTimeZone(changes.timeZone);
    // Checked by the API's schemas; the database's checks stand behind them.
    const hours = changes.workingHours === undefined ? null : JSON.stringify(changes.workingHours);
    const rows = await this.#write((tx) =>
      tx.query<Organisation>(
        `update organisations set name = coalesce($2, name), time_zone = coalesce($3, time_zone),
           working_hours = coalesce($4::jsonb, working_hours), distance_unit = coalesce($5, distance_unit),
           currency = coalesce($6, currency), mfa_required_for_admins = coalesce($7, mfa_required_for_admins)
         where id = $1 returning ${ORGANISATION_COLUMNS}`,
        [
          orgId,
          name,
          timeZone,
          hours,
          changes.distanceUnit ?? null,
          changes.currency ?? null,
          changes.mfaRequiredForAdmins ?? null,
        ],
      ),
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
    const name = checkName(input.name);
    this.#checkOrg(input.orgId);
    const token = newDeviceToken();
    try {
      const device = await this.#write(async (tx) => {
        const rows = await tx.query<DeviceRow>(
          `insert into devices (id, org_id, kind, name, token_hash) values ($1, $2, $3, $4, $5)
           returning ${DEVICE_COLUMNS}`,
          [randomUUID(), input.orgId, input.kind, name, hashDeviceToken(token)],
        );
        const created = toDevice(rows[0] as DeviceRow);
        await notify(tx, { deviceId: created.id, orgId: created.orgId, change: 'provisioned' });
        return created;
      });
      return { device, token };
    } catch (err) {
      throw duplicateName(err, name);
    }
  }

  async get(id: string): Promise<Device | undefined> {
    const rows = await this.#read((tx) =>
      tx.query<DeviceRow>(`select ${DEVICE_COLUMNS} from devices where id = $1`, [id]),
    );
    return rows[0] ? toDevice(rows[0]) : undefined;
  }

  async list(orgId: string, options: { includeDisabled?: boolean } = {}): Promise<Device[]> {
    this.#checkOrg(orgId);
    const rows = await this.#read((tx) =>
      tx.query<DeviceRow>(
        `select ${DEVICE_COLUMNS} from devices where org_id = $1 ${options.includeDisabled === false ? 'and disabled_at is null' : ''}
         order by name`,
        [orgId],
      ),
    );
    return rows.map(toDevice);
  }

  /** A page of the organisation's devices by name; filters are parameters, never SQL text. */
  async page(orgId: string, filter: DeviceFilter): Promise<DevicePage> {
    this.#checkOrg(orgId);
    const where = ['org_id = $1'];
    const params: SqlParam[] = [orgId];
    if (filter.kind !== undefined) {
      params.push(filter.kind);
      where.push(`kind = $${params.length}`);
    }
    if (filter.nameContains !== undefined && filter.nameContains !== '') {
      params.push(`%${filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`name ilike $${params.length}`);
    }
    if (filter.disabled !== undefined) where.push(`disabled_at is ${filter.disabled ? 'not ' : ''}null`);
    if (filter.ids !== undefined) {
      params.push(filter.ids);
      where.push(`id = any($${params.length}::text[])`);
    }
    if (filter.excludeIds !== undefined && filter.excludeIds.length > 0) {
      params.push(filter.excludeIds);
      where.push(`id <> all($${params.length}::text[])`);
    }
    const clause = where.join(' and ');
    return this.#read(async (tx) => {
      const count = await tx.query<{ n: number | string }>(
        `select count(*) as n from devices where ${clause}`,
        params,
      );
      const rows = await tx.query<DeviceRow>(
        `select ${DEVICE_COLUMNS} from devices where ${clause} order by name, id
         limit ${Math.trunc(filter.limit)} offset ${Math.trunc(filter.offset)}`,
        params,
      );
      return { items: rows.map(toDevice), total: Number(count[0]?.n ?? 0) };
    });
  }

  async rename(id: string, name: string): Promise<Device> {
    const trimmed = checkName(name);
    try {
      return await this.#change(
        id,
        'updated',
        `update devices set name = $2 where id = $1 returning ${DEVICE_COLUMNS}`,
        [id, trimmed],
      );
    } catch (err) {
      throw duplicateName(err, trimmed);
    }
  }

  /** Runs an update of one device and announces the change in the same transaction. */
  async #change(
    id: string,
    change: DeviceChange['change'],
    sql: string,
    params: readonly SqlParam[],
  ): Promise<Device> {
    return this.#write(async (tx) => {
      const rows = await tx.query<DeviceRow>(sql, params);
      if (!rows[0]) throw new RegistryError('unknown_device', `no device ${id}`);
      const device = toDevice(rows[0]);
      await notify(tx, { deviceId: device.id, orgId: device.orgId, change });
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

  /**
   * Deletes a device that nothing refers to (a device with installations or history is
   * disabled instead: `device_in_use`), and announces it so brokers drop it at once.
   */
  async remove(id: string): Promise<void> {
    try {
      await this.#write(async (tx) => {
        const rows = await tx.query<{ id: string; org_id: string }>(
          'delete from devices where id = $1 returning id, org_id',
          [id],
        );
        const row = rows[0];
        if (!row) throw new RegistryError('unknown_device', `no device ${id}`);
        await notify(tx, { deviceId: row.id, orgId: row.org_id, change: 'deleted' });
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23503')
        throw new RegistryError(
          'device_in_use',
          `device ${id} has installations or history; disable it instead`,
        );
      throw err;
    }
  }

  /**
   * Credentials of every organisation's devices for the broker's directory, as the system: a
   * page in id order after `after` (keyset), or exactly the devices `ids` (after a change).
   */
  async credentials(
    options: { after?: string; limit: number } | { ids: readonly string[] },
  ): Promise<DeviceCredential[]> {
    const select = `select ${DEVICE_COLUMNS.split(', ')
      .map((c) => `d.${c}`)
      .join(', ')}, o.suspended_at is not null as org_suspended
       from devices d join organisations o on o.id = d.org_id`;
    const rows =
      'ids' in options
        ? await this.#db.query<DeviceRow & { org_suspended: boolean }>(
            `${select} where d.id = any($1::text[])`,
            [options.ids],
          )
        : await this.#db.query<DeviceRow & { org_suspended: boolean }>(
            `${select} where d.id > $1 order by d.id limit ${Math.trunc(options.limit)}`,
            [options.after ?? ''],
          );
    return rows.map((row) => ({
      device: toDevice(row),
      tokenHash: row.token_hash,
      orgSuspended: row.org_suspended === true,
    }));
  }

  async checkCredentials(id: string, token: string): Promise<CredentialCheck> {
    const rows = await this.#db.query<DeviceRow & { org_suspended: boolean }>(
      `select ${DEVICE_COLUMNS},
         (select suspended_at is not null from organisations o where o.id = devices.org_id) as org_suspended
       from devices where id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return { ok: false, reason: 'unknown_device' };
    if (!tokenMatches(token, row.token_hash)) return { ok: false, reason: 'bad_token' };
    if (row.disabled_at !== null) return { ok: false, reason: 'device_disabled' };
    if (row.org_suspended) return { ok: false, reason: 'organisation_suspended' };
    return { ok: true, device: toDevice(row) };
  }
}
