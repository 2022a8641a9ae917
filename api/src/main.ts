// The platform process (embedded mode): broker + ingest + API + hub, see platform.ts.
import { createLogger, errorMessage, loadConfigOrExit, onShutdown } from '@fleet/shared';
import { startPlatformProcess } from './platform.ts';

const config = loadConfigOrExit();
const log = createLogger('platform', config.LOG_LEVEL, config.LOG_FORMAT);
try {
  const platform = await startPlatformProcess(config, log);
  const admin = platform.firstAdministrator;
  if (admin?.generatedPassword !== undefined) {
    // Shown once: only its hash is stored. Set FLEET_ADMIN_PASSWORD to choose it instead.
    process.stdout.write(
      `\nFirst start: created the administrator ${admin.email} with the password\n\n    ${admin.generatedPassword}\n\nIt is shown only now; keep it (or set FLEET_ADMIN_PASSWORD before the first start).\n\n`,
    );
  }
  onShutdown(log, () => platform.stop());
} catch (err) {
  log.fatal({ err: errorMessage(err) }, 'platform failed to start');
  process.exit(1);
}
