// The simulated fleet of `npm start`: its credentials are made before the platform starts,
// through the device registry (the embedded database is free then), kept in
// DATA_DIR/sim/credentials.json, so a second start drives the same devices.
import { join, resolve } from 'node:path';
import {
  demoCompany,
  type FleetSize,
  provisionViaRegistry,
  readCredentials,
  writeCredentials,
} from '@fleet/firmware-sim';
import { ensureDemoOrganisation, type FleetConfig, openDomainDatabase, silentLogger } from '@fleet/shared';
import { DeviceRegistry } from '@fleet/shared/db';
import { type SeedCounts, seedDemoCompany } from './demo-company.ts';

export function simCredentialsPath(config: FleetConfig): string {
  return join(resolve(config.DATA_DIR), 'sim', 'credentials.json');
}

/**
 * Makes sure the fleet's devices exist with known tokens; returns how many were provisioned now
 * and the organisation they belong to.
 */
export async function prepareSimulatedFleet(
  config: FleetConfig,
  size: FleetSize,
): Promise<{ added: number; orgId: string; seeded: SeedCounts }> {
  const path = simCredentialsPath(config);
  const known = (await readCredentials(path))?.devices ?? [];
  const db = await openDomainDatabase(config, silentLogger());
  try {
    const registry = new DeviceRegistry(db);
    // The fleet drives central Helsinki: the demo organisation is created in its time zone.
    const org = await ensureDemoOrganisation(db);
    // Devices in the file that the database no longer has (a wiped ./data/pg) are provisioned again.
    const present = new Set((await registry.list(org.id)).map((d) => d.id));
    const valid = known.filter((d) => present.has(d.id));
    const added = await provisionViaRegistry(registry, org.id, valid, size);
    if (added.length > 0 || valid.length !== known.length) {
      await writeCredentials(path, { devices: [...valid, ...added] });
    }
    // The company the devices belong to: vans and kits they ride on, its people and places.
    const fleet = [...valid, ...added];
    const seeded = await seedDemoCompany(
      db,
      org.id,
      demoCompany(size),
      new Map(fleet.map((d) => [d.name, d.id])),
    );
    return { added: added.length, orgId: org.id, seeded };
  } finally {
    await db.close();
  }
}
