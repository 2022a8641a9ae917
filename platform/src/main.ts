// The platform on one machine: `node platform/src/main.ts` (what `npm start` runs after its
// preparations, and what the Docker image runs). PLATFORM_PROCESSES=split (the default)
// supervises the device side and the API side as processes of their own; `single` runs both in
// this process.
import {
  createLogger,
  errorMessage,
  installProcessSafetyNet,
  loadConfigOrExit,
  onShutdown,
} from '@fleet/shared';
import { startEmbeddedPlatform } from './launcher.ts';
import { startPlatformProcess } from './single-process.ts';

const config = loadConfigOrExit();
const log = createLogger('platform', config.LOG_LEVEL, config.LOG_FORMAT);
try {
  const platform =
    config.PLATFORM_PROCESSES === 'single'
      ? await startPlatformProcess(config, log)
      : await startEmbeddedPlatform(config, log);
  installProcessSafetyNet(platform.faults);
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
