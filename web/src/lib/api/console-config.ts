// The installation's console settings (GET /api/v1/console/config), fetched once per page load:
// every map on every page reads the same style.
import type { ConsoleConfig } from '@fleet/api/contract';
import type { ApiClient } from './client.ts';

let pending: Promise<ConsoleConfig> | undefined;

export function consoleConfig(api: ApiClient): Promise<ConsoleConfig> {
  pending ??= api.call('GET /api/v1/console/config').catch((err: unknown) => {
    pending = undefined; // try again next time
    throw err;
  });
  return pending;
}
