#!/usr/bin/env node
import { hostname, userInfo } from 'node:os';
import {
  configMarkdownTable,
  createLogger,
  errorMessage,
  FleetError,
  loadConfigOrExit,
  openDomainDatabase,
  silentLogger,
} from '@fleet/shared';
import { type SqlDatabase, withAuditActor } from '@fleet/shared/db';
// The `fleet` command: `npm start` runs `fleet start`; `npm run fleet -- <command>` the rest.
import { Command, CommanderError } from 'commander';
import { addDevice, listDevices, reissueToken, setDeviceDisabled } from './devices.ts';
import {
  addOperator,
  addOrganisation,
  listOrganisations,
  renameOrganisation,
  suspendOrganisation,
} from './orgs.ts';
import { sendSample } from './send.ts';
import { startPlatform } from './start.ts';

function cliUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

const out = (line: string) => process.stdout.write(`${line}\n`);

async function withDatabase(fn: (db: SqlDatabase) => Promise<void>): Promise<void> {
  const config = loadConfigOrExit();
  const db = await openDomainDatabase(config, silentLogger());
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

const program = new Command('fleet')
  .description('Fleet telemetry platform')
  .showHelpAfterError()
  .exitOverride();

program
  .command('start')
  .description('run the platform: managed QuestDB, MQTT broker and ingest')
  .action(async () => {
    const config = loadConfigOrExit();
    await startPlatform(config, createLogger('launcher', config.LOG_LEVEL, config.LOG_FORMAT), out);
  });

const devices = program.command('devices').description('provision and manage devices');
devices
  .command('add')
  .description('provision a device; prints its id and token (the token is shown only once)')
  .requiredOption('--name <name>', 'unique name within the organisation, e.g. van-7')
  .requiredOption('--kind <kind>', 'vehicle or equipment')
  .option('--org <slug>', 'organisation', 'demo')
  .option('--json', 'print JSON')
  .action((o: { name: string; kind: string; org: string; json?: boolean }) =>
    withDatabase((db) => addDevice(db, { out }, o)),
  );
devices
  .command('list')
  .description('list the devices of an organisation')
  .option('--org <slug>', 'organisation', 'demo')
  .option('--json', 'print JSON')
  .action((o: { org: string; json?: boolean }) => withDatabase((db) => listDevices(db, { out }, o)));
devices
  .command('disable <id>')
  .description('refuse the device from now on')
  .action((id: string) => withDatabase((db) => setDeviceDisabled(db, { out }, id, true)));
devices
  .command('enable <id>')
  .description('accept a disabled device again')
  .action((id: string) => withDatabase((db) => setDeviceDisabled(db, { out }, id, false)));
devices
  .command('token <id>')
  .description('issue a new token; the old one stops working')
  .option('--json', 'print JSON')
  .action((id: string, o: { json?: boolean }) => withDatabase((db) => reissueToken(db, { out }, id, o.json)));

const orgs = program.command('orgs').description('organisations of the installation (platform operator)');
orgs
  .command('add')
  .description("create an organisation and its first administrator; prints the administrator's password once")
  .requiredOption('--slug <slug>', 'short name in URLs and logins: lower-case letters, digits, dashes')
  .requiredOption('--name <name>', 'display name, e.g. "Acme Oy"')
  .requiredOption('--admin-email <email>', "the administrator's email")
  .option('--admin-password <password>', 'set the password instead of generating one')
  .option('--time-zone <zone>', 'IANA time zone, e.g. Europe/Helsinki', 'UTC')
  .option('--json', 'print JSON')
  .action(
    (o: {
      slug: string;
      name: string;
      adminEmail: string;
      adminPassword?: string;
      timeZone?: string;
      json?: boolean;
    }) => withDatabase((db) => addOrganisation(db, { out }, o)),
  );
orgs
  .command('list')
  .description('every organisation with its numbers of users and devices')
  .option('--json', 'print JSON')
  .action((o: { json?: boolean }) => withDatabase((db) => listOrganisations(db, { out }, o)));
orgs
  .command('rename <slug>')
  .description('change the display name')
  .requiredOption('--name <name>', 'the new name')
  .action((slug: string, o: { name: string }) =>
    withDatabase((db) => renameOrganisation(db, { out }, slug, o.name)),
  );
orgs
  .command('suspend <slug>')
  .description('refuse its users and devices until resumed (its data stays)')
  .action((slug: string) => withDatabase((db) => suspendOrganisation(db, { out }, slug, true)));
orgs
  .command('resume <slug>')
  .description('let a suspended organisation back in')
  .action((slug: string) => withDatabase((db) => suspendOrganisation(db, { out }, slug, false)));

const operators = program.command('operators').description('platform operators (who manage organisations)');
operators
  .command('add')
  .description('create a platform operator; prints the password once unless --password is given')
  .requiredOption('--email <email>', "the operator's email")
  .option('--name <name>', 'display name', 'Platform operator')
  .option('--password <password>', 'set the password instead of generating one')
  .action((o: { email: string; name: string; password?: string }) =>
    withDatabase((db) => addOperator(db, { out }, o)),
  );

program
  .command('send')
  .description('publish sample telemetry as a device, to check an installation end to end')
  .requiredOption('--device <id>', 'device id (MQTT username and client id)')
  .requiredOption('--token <token>', 'device token (MQTT password)')
  .option('--count <n>', 'records in the batch (1-1000)', '5')
  .option('--url <url>', 'broker URL (default: mqtt://MQTT_HOST:MQTT_PORT)')
  .action(async (o: { device: string; token: string; count: string; url?: string }) => {
    const config = loadConfigOrExit();
    const url = o.url ?? `mqtt://${config.MQTT_HOST}:${config.MQTT_PORT}`;
    await sendSample({ url, device: o.device, token: o.token, count: Number(o.count) }, out);
  });

program
  .command('config')
  .description('print every setting with its default and unit')
  .action(() => {
    out(configMarkdownTable());
  });

try {
  // Changes made from the command line are logged in the audit log as the shell's user.
  await withAuditActor({ kind: 'cli', label: `cli:${cliUser()}@${hostname()}` }, () =>
    program.parseAsync(process.argv),
  );
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.stderr.write(`fleet: ${err instanceof FleetError ? err.message : errorMessage(err)}\n`);
  process.exit(1);
}
