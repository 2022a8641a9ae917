// The API and hub server: builds the routes, the auth service and the hub from plain
// dependencies and listens on HTTP_HOST:HTTP_PORT. main.ts and the tests both start it here.

import * as uws from 'uWebSockets.js';
import { join, resolve } from 'node:path';
import type { LiveStateStore } from '@fleet/ingest';
import type { EventBus, FaultReporter, FleetConfig, Logger } from '@fleet/shared';
import { type SqlDatabase, withDepartmentScope } from '@fleet/shared/db';
import type { QuestDbHttp } from '@fleet/shared/questdb';
import type { Registry } from 'prom-client';
import { DeviceCookies } from './auth/device-cookies.ts';
import { LoginGuard } from './auth/login-guard.ts';
import { AuthService } from './auth/service.ts';
import { SessionStore } from './auth/sessions.ts';
import { AccessTokens, loadSigningKey, MfaChallengeTokens } from './auth/tokens.ts';
import { UserDirectory } from './auth/users.ts';
import { DeviceDirectory } from './device-directory.ts';
import { alertRoutes } from './domains/alerts/routes.ts';
import { installedAssetDirectory } from './domains/assets/directory.ts';
import { assetRoutes } from './domains/assets/routes.ts';
import { auditRoutes } from './domains/audit/routes.ts';
import { costRoutes } from './domains/costs/routes.ts';
import { dashboardRoutes } from './domains/dashboard/routes.ts';
import { departmentRoutes } from './domains/departments/routes.ts';
import { createDriverCardSink } from './domains/drivers/auto-assign.ts';
import { countDriverCardDecisions, followDriverCards } from './domains/drivers/card-feed.ts';
import { driverRoutes } from './domains/drivers/routes.ts';
import { jobRoutes } from './domains/jobs/routes.ts';
import { maintenanceRoutes } from './domains/maintenance/routes.ts';
import { MFA_TOTP_SECRET, SecretCipher } from './domains/mfa/crypto.ts';
import { mfaRoutes } from './domains/mfa/routes.ts';
import { MfaService } from './domains/mfa/service.ts';
import { notificationRoutes } from './domains/notifications/routes.ts';
import { createNotifications, type Notifications } from './domains/notifications/service.ts';
import { OperatorTokens, PlatformOperators } from './domains/organisations/operators.ts';
import { operatorRoutes } from './domains/organisations/routes.ts';
import { placeRoutes } from './domains/places/routes.ts';
import { projectRoutes } from './domains/projects/routes.ts';
import { reportScheduleRoutes } from './domains/report-schedules/routes.ts';
import { ReportScheduler } from './domains/report-schedules/scheduler.ts';
import { reportRoutes } from './domains/reports/routes.ts';
import { ruleRoutes } from './domains/rules/routes.ts';
import { tripRoutes } from './domains/trips/routes.ts';
import { workOrderRoutes } from './domains/work-orders/routes.ts';
import { ApiError } from './http/errors.ts';
import { buildOpenApi } from './http/openapi.ts';
import type { AnyRoute } from './http/route.ts';
import { registerRoutes } from './http/server.ts';
import { type Hub, mountHub } from './hub/hub.ts';
import { createApiMetrics } from './metrics.ts';
import { authRoutes } from './routes/auth.ts';
import { consoleRoutes } from './routes/console.ts';
import type { ApiContext, Readiness } from './routes/context.ts';
import { deviceRoutes } from './routes/devices.ts';
import { historyRoutes } from './routes/history.ts';
import { opsRoutes } from './routes/ops.ts';
import { organisationRoutes } from './routes/organisation.ts';
import { userRoutes } from './routes/users.ts';
import { mountStaticSites } from './static-sites.ts';

export interface ApiDeps {
  config: FleetConfig;
  db: SqlDatabase;
  questdb: QuestDbHttp;
  bus: EventBus;
  liveState: LiveStateStore;
  connectedDevices(): ReadonlySet<string>;
  metricsRegistry: Registry;
  /** The text of GET /metrics when the platform has several processes; default: this registry's. */
  platformMetrics?: () => Promise<string>;
  readiness: readonly Readiness[];
  log: Logger;
  /** Counts and logs unexpected errors at the HTTP and WebSocket entry points. */
  faults: FaultReporter;
  /** Where the basemap served at /basemap/ lives; default vendor/basemap of the project. */
  basemapDir?: string;
}

export interface ApiServer {
  port: number;
  url: string;
  hub: Hub;
  auth: AuthService;
  routes: readonly AnyRoute[];
  /** The notification dispatcher and sender (tests stop this dispatcher and drive their own). */
  notifications: Notifications;
  /** Mails the report schedules that are due, every minute (tests call its runDue). */
  reportScheduler: ReportScheduler;
  close(): Promise<void>;
}

export function apiRoutes(ctx: ApiContext): AnyRoute[] {
  const routes: AnyRoute[] = [
    ...authRoutes(ctx),
    ...organisationRoutes(ctx),
    ...userRoutes(ctx),
    ...deviceRoutes(ctx),
    ...historyRoutes(ctx),
    ...consoleRoutes(ctx),
    ...placeRoutes(ctx),
    ...assetRoutes(ctx),
    ...departmentRoutes(ctx),
    ...driverRoutes(ctx),
    ...auditRoutes(ctx),
    ...ruleRoutes(ctx),
    ...maintenanceRoutes(ctx),
    ...workOrderRoutes(ctx),
    ...costRoutes(ctx),
    ...projectRoutes(ctx),
    ...jobRoutes(ctx),
    ...tripRoutes(ctx),
    ...reportRoutes(ctx),
    ...reportScheduleRoutes(ctx),
    ...dashboardRoutes(ctx),
    ...alertRoutes(ctx),
    ...notificationRoutes(ctx),
    ...mfaRoutes(ctx),
    ...operatorRoutes({
      db: ctx.db,
      operators: ctx.operators.accounts,
      tokens: ctx.operators.tokens,
      guard: ctx.operators.guard,
      auth: ctx.auth,
    }),
  ];
  const info = {
    title: 'Fleet platform API',
    version: '1',
    description:
      'REST API of the fleet telemetry platform. Live positions, status and events stream over the WebSocket hub at /ws (frames typed in @fleet/shared live.ts).',
  };
  const all: AnyRoute[] = [];
  all.push(...routes, ...opsRoutes(ctx, () => buildOpenApi(all, info)));
  return all;
}

export async function startApi(deps: ApiDeps): Promise<ApiServer> {
  const { config, log } = deps;
  const metrics = createApiMetrics(deps.metricsRegistry);
  const accessTtlMs = config.AUTH_ACCESS_TOKEN_TTL_S * 1000;
  let hub: Hub | undefined;
  const signingKey = loadSigningKey(config.AUTH_JWT_SECRET, join(resolve(config.DATA_DIR), 'auth'));
  // TOTP secrets are sealed under a key derived from the signing key, which is not in the database.
  const mfa = new MfaService({ db: deps.db, cipher: new SecretCipher(signingKey, MFA_TOTP_SECRET) });
  const auth = new AuthService({
    users: new UserDirectory(deps.db),
    sessions: new SessionStore(deps.db, config.AUTH_REFRESH_TTL_DAYS * 86_400_000),
    tokens: new AccessTokens(signingKey, config.AUTH_ACCESS_TOKEN_TTL_S),
    deviceCookies: new DeviceCookies(signingKey),
    guard: new LoginGuard({
      maxPerAccount: config.AUTH_LOGIN_MAX_FAILURES,
      maxPerAddress: config.AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowMs: config.AUTH_LOGIN_WINDOW_S * 1000,
    }),
    accessTtlMs,
    onRevoke: (ids) => hub?.closeSessions(ids),
    secondFactor: mfa,
    challenges: new MfaChallengeTokens(signingKey),
  });
  await auth.loadRevocations();
  const notifications = createNotifications({ ...deps, signingKey });
  // Started where the notification dispatcher is, through the same mail transport.
  const reportScheduler = new ReportScheduler({
    db: deps.db,
    questdb: deps.questdb,
    mailer: notifications.mailer,
    smtpFrom: notifications.smtpFrom,
    consoleUrl: notifications.consoleUrl,
    log: log.child({ component: 'report-schedules' }),
    faults: deps.faults,
  });
  const directory = new DeviceDirectory(deps.db, deps.bus);
  const operatorTokens = new OperatorTokens(signingKey, config.AUTH_ACCESS_TOKEN_TTL_S);
  const ctx: ApiContext = {
    config,
    db: deps.db,
    directory,
    questdb: deps.questdb,
    bus: deps.bus,
    auth,
    mfa,
    notifications,
    liveState: deps.liveState,
    connectedDevices: deps.connectedDevices,
    metricsRegistry: deps.metricsRegistry,
    platformMetrics: deps.platformMetrics ?? (() => deps.metricsRegistry.metrics()),
    readiness: deps.readiness,
    operators: {
      accounts: new PlatformOperators(deps.db),
      tokens: operatorTokens,
      guard: new LoginGuard({
        maxPerAccount: config.AUTH_LOGIN_MAX_FAILURES,
        maxPerAddress: config.AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS,
        windowMs: config.AUTH_LOGIN_WINDOW_S * 1000,
      }),
    },
  };
  const app = uws.App();
  const routes = apiRoutes(ctx);
  registerRoutes(app, routes, {
    log,
    faults: deps.faults,
    metrics: metrics.http,
    maxBodyBytes: config.HTTP_MAX_BODY_BYTES,
    corsOrigins: config.HTTP_CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
    trustedProxies: new Set(
      config.HTTP_TRUSTED_PROXIES.split(',')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
    ),
    authenticate: (token) => auth.authenticate(token),
    authenticateOperator: (token) => operatorTokens.verify(token),
  });
  hub = mountHub(app, {
    bus: deps.bus,
    liveState: deps.liveState,
    // A session limited to MFA enrolment sees no live fleet either (closed like a bad token).
    authenticate: async (token) => {
      const principal = await auth.authenticate(token);
      if (principal.mfaEnrolmentRequired === true) throw new ApiError('mfa_enrolment_required');
      return principal;
    },
    deviceVisible: async (orgId, deviceId) => (await directory.get(orgId, deviceId)) !== undefined,
    // Read in the user's scope, so the assets policy decides (domains/assets/directory.ts).
    scopedDevices: (principal) =>
      withDepartmentScope(principal.scopeDepartmentId, async () => {
        return new Set((await installedAssetDirectory(deps.db).get(principal.orgId)).keys());
      }),
    metrics: metrics.hub,
    log,
    faults: deps.faults,
    settings: {
      tickMs: config.HUB_TICK_MS,
      coalesceBytes: config.HUB_COALESCE_BYTES,
      maxBufferBytes: config.HUB_MAX_BUFFER_BYTES,
      maxLagMs: config.HUB_MAX_LAG_S * 1000,
      clientMsgRate: config.HUB_CLIENT_MSG_RATE,
      offlineAfterMs: config.DEVICE_OFFLINE_AFTER_S * 1000,
      authGraceMs: 10_000,
    },
  });
  // Last: the console's catch-all must not shadow the routes above (uWS prefers specific ones).
  mountStaticSites(app, {
    config,
    log,
    faults: deps.faults,
    metrics: metrics.http,
    ...(deps.basemapDir === undefined ? {} : { basemapDir: deps.basemapDir }),
  });
  const listenSocket = await new Promise<uws.us_listen_socket>((resolvePromise, reject) => {
    app.listen(config.HTTP_HOST, config.HTTP_PORT, (socket) => {
      if (socket) resolvePromise(socket);
      else reject(new Error(`cannot listen on ${config.HTTP_HOST}:${config.HTTP_PORT} (in use?)`));
    });
  });
  const port = uws.us_socket_local_port(listenSocket as unknown as uws.us_socket);
  const activeHub = hub;
  await notifications.dispatcher.start();
  reportScheduler.start();
  // Driver cards assign drivers from the API side: it gets each device's `latest` once, however
  // the platform is split (domains/drivers/card-feed.ts), and it has the domain database.
  const stopDriverCards = followDriverCards(
    deps.bus,
    createDriverCardSink({
      db: deps.db,
      faults: deps.faults,
      onDecision: countDriverCardDecisions(metrics.driverCards),
    }),
  );
  return {
    port,
    url: `http://${config.HTTP_HOST}:${port}`,
    hub: activeHub,
    auth,
    routes,
    notifications,
    reportScheduler,
    async close() {
      await reportScheduler.stop();
      await notifications.close();
      await stopDriverCards();
      activeHub.close();
      directory.close();
      uws.us_listen_socket_close(listenSocket);
      app.close();
    },
  };
}
