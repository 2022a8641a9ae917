// The real DeviceBroker (aedes with the platform's hooks) on a free TCP port, with in-memory
// stand-ins for the registry, the ingest pipeline and the bus, so a test can make any of them
// misbehave. Every log line is kept.
import { Writable } from 'node:stream';
import type { IngestOutcome, IngestPipeline } from '@fleet/ingest';
import { createFaultReporter, type EventBus, InProcessEventBus } from '@fleet/shared';
import type { CredentialCheck, Device } from '@fleet/shared/db';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { type Authenticator, type CredentialSource, DeviceAuthenticator } from '../src/auth.ts';
import { type BrokerLimits, createDeviceBroker, type DeviceBroker } from '../src/broker.ts';
import { listenBroker } from '../src/listeners.ts';
import { type BrokerMetrics, createBrokerMetrics } from '../src/metrics.ts';
import { RefusalLog } from '../src/refusals.ts';

export const ORG = 'org-fake';

export const tokenOf = (id: string) => `token-${id}`;

/** Knows every id that starts with "dev-", with the token tokenOf(id); counts look-ups. */
export class FakeRegistry implements CredentialSource {
  lookups = 0;
  readonly disabled = new Set<string>();

  async checkCredentials(deviceId: string, token: string): Promise<CredentialCheck> {
    this.lookups++;
    if (!deviceId.startsWith('dev-')) return { ok: false, reason: 'unknown_device' };
    if (token !== tokenOf(deviceId)) return { ok: false, reason: 'bad_token' };
    if (this.disabled.has(deviceId)) return { ok: false, reason: 'device_disabled' };
    return { ok: true, device: fakeDevice(deviceId) };
  }
}

export function fakeDevice(id: string): Device {
  return { id, orgId: ORG, kind: 'vehicle', name: id, createdAt: new Date(0), disabledAt: null };
}

export const STORED: IngestOutcome = { stored: 1, rejected: [] };

export function fakePipeline(overrides: Partial<IngestPipeline> = {}): IngestPipeline {
  return {
    ingestTelemetry: async () => STORED,
    ingestEvent: async () => STORED,
    recordEvent: async () => {},
    ...overrides,
  };
}

export interface LogLine {
  level: number;
  msg: string;
  reason?: string;
  [key: string]: unknown;
}

export interface FakeBrokerOptions {
  authenticator?: Authenticator;
  registry?: FakeRegistry;
  authCacheTtlMs?: number;
  pipeline?: IngestPipeline;
  bus?: EventBus;
  limits?: Partial<BrokerLimits>;
  refusals?: (metrics: BrokerMetrics, log: pino.Logger) => RefusalLog;
}

export const TEST_LIMITS: BrokerLimits = {
  maxPacketBytes: 256 * 1024,
  deviceMsgRate: 1000,
  deviceMsgBurst: 1000,
  connectRate: 1000,
  connectBurst: 1000,
  authFailRate: 2,
  authFailBurst: 20,
  authFailGlobalRate: 50,
  authFailGlobalBurst: 500,
  keepaliveMinS: 5,
  keepaliveMaxS: 1200,
  connectTimeoutMs: 2000,
  drainTimeoutMs: 2000,
  maxOutboundBytes: 1024 * 1024,
};

export interface FakeBroker {
  broker: DeviceBroker;
  port: number;
  registry: FakeRegistry;
  metrics: Registry;
  lines: LogLine[];
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** fleet_unexpected_errors_total summed over the sites of a boundary (or all). */
  faults(boundary?: string): Promise<number>;
  close(): Promise<void>;
}

export async function startFakeBroker(o: FakeBrokerOptions = {}): Promise<FakeBroker> {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  const log = pino({ level: 'info' }, destination);
  const metrics = new Registry();
  const faults = createFaultReporter({ log, registry: metrics });
  const brokerMetrics = createBrokerMetrics(metrics);
  const registry = o.registry ?? new FakeRegistry();
  const broker = await createDeviceBroker({
    authenticator: o.authenticator ?? new DeviceAuthenticator(registry, o.authCacheTtlMs ?? 30_000),
    pipeline: o.pipeline ?? fakePipeline(),
    bus: o.bus ?? new InProcessEventBus(),
    refusals: o.refusals?.(brokerMetrics, log) ?? new RefusalLog(brokerMetrics.refusals, log),
    metrics: brokerMetrics,
    log,
    faults,
    limits: { ...TEST_LIMITS, ...o.limits },
    storeSaturated: () => false,
  });
  const listeners = await listenBroker(broker, {
    host: '127.0.0.1',
    tcpPort: 0,
    wsPort: undefined,
    maxPacketBytes: o.limits?.maxPacketBytes ?? TEST_LIMITS.maxPacketBytes,
  });
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const found = (await metrics.getMetricsAsJSON()).find((m) => m.name === name);
    const values = (found?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
    return values
      .filter((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val))
      .reduce((sum, v) => sum + v.value, 0);
  };
  return {
    broker,
    port: listeners.tcpPort,
    registry,
    metrics,
    lines,
    metric,
    faults: (boundary) => metric('fleet_unexpected_errors_total', boundary === undefined ? {} : { boundary }),
    async close() {
      await listeners.close();
      await broker.close();
    },
  };
}
