// Organisations as a platform operator manages them: create one with its first administrator,
// list, rename, suspend and resume. These run as the system (the operator belongs to no
// organisation); an organisation's own settings are changed by its administrators under
// row-level security (routes/organisation.ts). Suspending ends the organisation's sessions and
// disconnects its devices: each device's change is announced (NOTIFY) like a disabled device's,
// so the broker drops and refuses them whichever process suspended the organisation.
import { randomBytes } from 'node:crypto';
import { isTimeZoneName } from '@fleet/shared';
import {
  DEVICE_CHANGES_CHANNEL,
  type DeviceChange,
  inAuditedTransaction,
  ORGANISATION_COLUMNS,
  type Organisation,
  type SqlDatabase,
} from '@fleet/shared/db';
import { UserDirectory } from '../../auth/users.ts';
import { ApiError } from '../../http/errors.ts';

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface NewOrganisation {
  slug: string;
  name: string;
  timeZone?: string | undefined;
  adminEmail: string;
  adminName?: string | undefined;
  /** The administrator's password; generated (and shown once) when absent. */
  adminPassword?: string | undefined;
}

export interface CreatedOrganisation {
  organisation: Organisation;
  admin: { id: string; email: string; generatedPassword: string | undefined };
}

export interface OrganisationListing {
  items: (Organisation & { users: number; devices: number })[];
  total: number;
}

export class OrganisationAdministration {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async create(input: NewOrganisation): Promise<CreatedOrganisation> {
    if (!SLUG_PATTERN.test(input.slug))
      throw new ApiError('validation_failed', 'The slug is lower-case letters, digits and dashes.', {
        details: [{ path: 'body.slug', message: 'lower-case letters, digits and dashes, at most 63' }],
      });
    const timeZone = input.timeZone ?? 'UTC';
    if (!isTimeZoneName(timeZone))
      throw new ApiError('validation_failed', 'Not an IANA time zone.', {
        details: [{ path: 'body.timeZone', message: 'an IANA time zone name' }],
      });
    const rows = await inAuditedTransaction(this.#db, (tx) =>
      tx.query<Organisation>(
        `insert into organisations (slug, name, time_zone) values ($1, $2, $3)
       on conflict (slug) do nothing returning ${ORGANISATION_COLUMNS}`,
        [input.slug, input.name.trim(), timeZone],
      ),
    );
    const organisation = rows[0];
    if (!organisation) throw new ApiError('conflict', `An organisation with the slug ${input.slug} exists.`);
    const password = input.adminPassword ?? randomBytes(15).toString('base64url');
    try {
      const admin = await new UserDirectory(this.#db).create(organisation.id, {
        email: input.adminEmail,
        name: input.adminName ?? 'Administrator',
        role: 'admin',
        password,
      });
      return {
        organisation,
        admin: {
          id: admin.id,
          email: admin.email,
          generatedPassword: input.adminPassword === undefined ? password : undefined,
        },
      };
    } catch (err) {
      // No organisation without its administrator: nobody could ever sign in to it.
      await inAuditedTransaction(this.#db, (tx) =>
        tx.query('delete from organisations where id = $1', [organisation.id]),
      );
      throw err;
    }
  }

  async list(options: {
    limit: number;
    offset: number;
    suspended?: boolean | undefined;
  }): Promise<OrganisationListing> {
    const suspended = options.suspended === undefined ? null : options.suspended;
    const rows = await this.#db.query<Organisation & { users: number | string; devices: number | string }>(
      `select ${ORGANISATION_COLUMNS},
         (select count(*) from users u where u.org_id = organisations.id) as users,
         (select count(*) from devices d where d.org_id = organisations.id) as devices
       from organisations where ($3::boolean is null or (suspended_at is not null) = $3)
       order by slug limit $1 offset $2`,
      [options.limit, options.offset, suspended],
    );
    const count = await this.#db.query<{ n: number | string }>(
      'select count(*) as n from organisations where ($1::boolean is null or (suspended_at is not null) = $1)',
      [suspended],
    );
    return {
      items: rows.map((r) => ({ ...r, users: Number(r.users), devices: Number(r.devices) })),
      total: Number(count[0]?.n ?? 0),
    };
  }

  async get(id: string): Promise<Organisation | undefined> {
    const rows = await this.#db.query<Organisation>(
      `select ${ORGANISATION_COLUMNS} from organisations where id = $1`,
      [id],
    );
    return rows[0];
  }

  async findBySlug(slug: string): Promise<Organisation | undefined> {
    const rows = await this.#db.query<Organisation>(
      `select ${ORGANISATION_COLUMNS} from organisations where slug = $1`,
      [slug],
    );
    return rows[0];
  }

  async rename(id: string, name: string): Promise<Organisation | undefined> {
    const rows = await inAuditedTransaction(this.#db, (tx) =>
      tx.query<Organisation>(
        `update organisations set name = $2 where id = $1 returning ${ORGANISATION_COLUMNS}`,
        [id, name.trim()],
      ),
    );
    return rows[0];
  }

  /**
   * Suspends or resumes. Every device of the organisation is announced as disabled (or
   * enabled) in the same transaction, so brokers drop and refuse them (CONNACK 5) at once, and
   * a suspension revokes every session: their ids come back for the API to stop their tokens.
   */
  async setSuspended(
    id: string,
    suspended: boolean,
  ): Promise<{ organisation: Organisation; revokedSessions: string[] } | undefined> {
    return inAuditedTransaction(this.#db, async (tx) => {
      const rows = await tx.query<Organisation>(
        `update organisations set suspended_at = case when $2 then coalesce(suspended_at, now()) else null end
         where id = $1 returning ${ORGANISATION_COLUMNS}`,
        [id, suspended],
      );
      const organisation = rows[0];
      if (!organisation) return undefined;
      const devices = await tx.query<{ id: string }>('select id from devices where org_id = $1', [id]);
      for (const d of devices) {
        const change: DeviceChange = {
          deviceId: d.id,
          orgId: id,
          change: suspended ? 'disabled' : 'enabled',
        };
        await tx.query('select pg_notify($1, $2)', [DEVICE_CHANGES_CHANNEL, JSON.stringify(change)]);
      }
      const revoked = suspended
        ? await tx.query<{ id: string }>(
            'update sessions set revoked_at = now() where org_id = $1 and revoked_at is null returning id::text as id',
            [id],
          )
        : [];
      return { organisation, revokedSessions: revoked.map((r) => r.id) };
    });
  }
}
