// What the ops console needs to know about this installation before it draws anything: the
// map style (the offline basemap unless CONSOLE_MAP_STYLE names another). Public: the login
// page may show the map too, and nothing here is secret.
import { type AnyRoute, defineRoute } from '../http/route.ts';
import type { ApiContext } from './context.ts';
import { consoleConfigSchema } from './schemas.ts';

/** The offline basemap's style, served by this API from vendor/basemap. */
export const OFFLINE_STYLE_PATH = '/basemap/style.json';

export function consoleRoutes(ctx: ApiContext): AnyRoute[] {
  const configured = ctx.config.CONSOLE_MAP_STYLE;
  const body = {
    mapStyle: configured === '' ? OFFLINE_STYLE_PATH : configured,
    offlineBasemap: configured === '',
  };
  return [
    defineRoute({
      id: 'getConsoleConfig',
      method: 'get',
      path: '/api/v1/console/config',
      tag: 'console',
      summary: "The ops console's settings for this installation",
      access: 'public',
      responses: { 200: { description: 'Settings', schema: consoleConfigSchema } },
      async handler() {
        return { status: 200, body };
      },
    }),
  ];
}
