// `fleet orgs ...` and `fleet operators ...`: what a platform operator does from the command
// line, through the same repositories as the operator API (api/src/domains/organisations/).
import { OrganisationAdministration, PlatformOperators } from '@fleet/api';
import { FleetError } from '@fleet/shared';
import type { Organisation, SqlDatabase } from '@fleet/shared/db';
import type { Output } from './devices.ts';

async function bySlug(orgs: OrganisationAdministration, slug: string): Promise<Organisation> {
  const org = await orgs.findBySlug(slug);
  if (!org) throw new FleetError('unknown_organisation', `no organisation "${slug}"`);
  return org;
}

function orgJson(o: Organisation) {
  return {
    id: o.id,
    slug: o.slug,
    name: o.name,
    timeZone: o.timeZone,
    distanceUnit: o.distanceUnit,
    currency: o.currency,
    suspendedAt: o.suspendedAt === null ? null : new Date(o.suspendedAt).toISOString(),
  };
}

export async function addOrganisation(
  db: SqlDatabase,
  o: Output,
  args: {
    slug: string;
    name: string;
    adminEmail: string;
    adminPassword?: string;
    timeZone?: string;
    json?: boolean;
  },
): Promise<void> {
  const created = await new OrganisationAdministration(db).create({
    slug: args.slug,
    name: args.name,
    timeZone: args.timeZone,
    adminEmail: args.adminEmail,
    adminPassword: args.adminPassword,
  });
  const password = created.admin.generatedPassword;
  if (args.json) {
    o.out(
      JSON.stringify({
        organisation: orgJson(created.organisation),
        admin: { ...created.admin, generatedPassword: undefined, password },
      }),
    );
    return;
  }
  o.out(`Created organisation "${created.organisation.name}" (${created.organisation.slug})`);
  o.out(`  administrator: ${created.admin.email}`);
  if (password !== undefined) o.out(`  password (shown only now): ${password}`);
}

export async function listOrganisations(db: SqlDatabase, o: Output, args: { json?: boolean }): Promise<void> {
  const page = await new OrganisationAdministration(db).list({ limit: 500, offset: 0 });
  if (args.json) {
    o.out(JSON.stringify(page.items.map((i) => ({ ...orgJson(i), users: i.users, devices: i.devices }))));
    return;
  }
  if (page.items.length === 0) {
    o.out('No organisations.');
    return;
  }
  for (const i of page.items) {
    const state = i.suspendedAt === null ? '' : '  SUSPENDED';
    o.out(
      `${i.slug.padEnd(24)} ${i.name.padEnd(32)} ${String(i.users).padStart(5)} users ${String(i.devices).padStart(6)} devices${state}`,
    );
  }
}

export async function renameOrganisation(
  db: SqlDatabase,
  o: Output,
  slug: string,
  name: string,
): Promise<void> {
  const orgs = new OrganisationAdministration(db);
  const org = await orgs.rename((await bySlug(orgs, slug)).id, name);
  o.out(`Renamed ${slug} to "${org?.name ?? name}"`);
}

export async function suspendOrganisation(
  db: SqlDatabase,
  o: Output,
  slug: string,
  suspended: boolean,
): Promise<void> {
  const orgs = new OrganisationAdministration(db);
  const changed = await orgs.setSuspended((await bySlug(orgs, slug)).id, suspended);
  if (suspended)
    o.out(
      `Suspended ${slug}: its users cannot sign in (${changed?.revokedSessions.length ?? 0} sessions ended) and its devices are refused.`,
    );
  else o.out(`Resumed ${slug}: its users and devices are let in again.`);
}

export async function addOperator(
  db: SqlDatabase,
  o: Output,
  args: { email: string; name: string; password?: string },
): Promise<void> {
  const { operator, generatedPassword } = await new PlatformOperators(db).create(args);
  o.out(`Created platform operator ${operator.email}`);
  if (generatedPassword !== undefined) o.out(`  password (shown only now): ${generatedPassword}`);
  o.out('  sign in: POST /api/v1/platform/login');
}
