// What the routes need from the rest of the platform, passed in plainly so each route module
// can be built and tested with real parts and no globals.
import type { LiveStateStore } from '@fleet/ingest';
import type { EventBus, FleetConfig } from '@fleet/shared';
import type { SqlDatabase } from '@fleet/shared/db';
import type { QuestDbHttp } from '@fleet/shared/questdb';
import type { Registry } from 'prom-client';
import type { LoginGuard } from '../auth/login-guard.ts';
import type { AuthService } from '../auth/service.ts';
import type { DeviceDirectory } from '../device-directory.ts';
import type { MfaService } from '../domains/mfa/service.ts';
import type { Notifications } from '../domains/notifications/service.ts';
import type { OperatorTokens, PlatformOperators } from '../domains/organisations/operators.ts';

export interface Readiness {
  name: string;
  check(): Promise<void>;
}

export interface ApiContext {
  config: FleetConfig;
  db: SqlDatabase;
  questdb: QuestDbHttp;
  /** The platform's event bus: alerts changed by people are published on it (topic `alert`). */
  bus: EventBus;
  auth: AuthService;
  /** Multi-factor sign-in: enrolment, codes, the organisation's policy. */
  mfa: MfaService;
  /**
   * Notification channels' secrets and the sender of test notifications (domains/notifications);
   * its mail transport also carries scheduled reports (domains/report-schedules).
   */
  notifications: Pick<Notifications, 'cipher' | 'sender' | 'consoleUrl' | 'mailer' | 'smtpFrom'>;
  /** The organisations' devices in memory, for the hot read paths. */
  directory: DeviceDirectory;
  liveState: LiveStateStore;
  /** Ids of the devices connected to the broker right now. */
  connectedDevices(): ReadonlySet<string>;
  metricsRegistry: Registry;
  /** GET /metrics: every process's metrics, each series labelled with its process. */
  platformMetrics(): Promise<string>;
  readiness: readonly Readiness[];
  /** Platform operators: their accounts, tokens and login limits. */
  operators: { accounts: PlatformOperators; tokens: OperatorTokens; guard: LoginGuard };
}
