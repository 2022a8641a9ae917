// First start with an empty database: the administrator of the demo organisation, with the
// password from FLEET_ADMIN_PASSWORD or a generated one that is shown once. No password works
// on every install.
import { randomBytes } from 'node:crypto';
import { ensureDemoOrganisation } from '@fleet/shared';
import type { SqlDatabase } from '@fleet/shared/db';
import { UserDirectory } from './auth/users.ts';

export const DEMO_ADMIN_EMAIL = 'admin@demo.local';

export interface BootstrapResult {
  email: string;
  /** Set only when the password was generated now: the one time it can be shown. */
  generatedPassword: string | undefined;
}

/** Creates the first administrator when there are no users at all; undefined otherwise. */
export async function ensureFirstAdministrator(
  db: SqlDatabase,
  configuredPassword: string | undefined,
): Promise<BootstrapResult | undefined> {
  const users = new UserDirectory(db);
  if ((await users.count()) > 0) return undefined;
  const org = await ensureDemoOrganisation(db);
  const password = configuredPassword ?? randomBytes(15).toString('base64url');
  await users.create(org.id, { email: DEMO_ADMIN_EMAIL, name: 'Administrator', role: 'admin', password });
  return {
    email: DEMO_ADMIN_EMAIL,
    generatedPassword: configuredPassword === undefined ? password : undefined,
  };
}
