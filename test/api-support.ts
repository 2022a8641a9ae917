// The real API and hub on a free port, over a real broker + ingest service (test/support.ts),
// with two organisations and a user of every role in each, and small HTTP/WebSocket clients.
import { randomUUID } from 'node:crypto';
import { type ApiServer, ROLES, type Role, startApi, UserDirectory } from '@fleet/api';
import type { HubFrame, SettingName } from '@fleet/shared';
import { createLogger, silentLogger } from '@fleet/shared';
import { QuestDbHttp } from '@fleet/shared/questdb';
import { inject } from 'vitest';
import WebSocket from 'ws';
import { startTestPlatform, type TestDevice, type TestPlatform } from './support.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestUser {
  id: string;
  email: string;
  role: Role;
  orgId: string;
  token: string;
}

export interface TestOrg {
  id: string;
  users: Record<Role, TestUser>;
  provision(kind?: 'vehicle' | 'equipment'): Promise<TestDevice>;
}

export interface HttpReply<B = unknown> {
  status: number;
  body: B;
  text: string;
  headers: Headers;
}

export interface TestApi {
  platform: TestPlatform;
  api: ApiServer;
  url: string;
  orgA: TestOrg;
  orgB: TestOrg;
  request<B = unknown>(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<HttpReply<B>>;
  login(email: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestApi(
  overrides: Partial<Record<SettingName, string | number | boolean>> = {},
  options: { extraReadiness?: { name: string; check(): Promise<void> }[]; basemapDir?: string } = {},
): Promise<TestApi> {
  const platform = await startTestPlatform({
    HTTP_PORT: 0,
    AUTH_JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    ...overrides,
  });
  const api = await startApi({
    config: platform.config,
    db: platform.db,
    questdb: new QuestDbHttp(inject('questdbUrl')),
    bus: platform.bus,
    liveState: platform.service.liveState,
    connectedDevices: () => platform.service.broker.connectedIds(),
    metricsRegistry: platform.metrics,
    faults: platform.faults,
    log: process.env.HUB_DEBUG ? createLogger('api', 'warn', 'json') : silentLogger(),
    ...(options.basemapDir === undefined ? {} : { basemapDir: options.basemapDir }),
    readiness: [
      { name: 'database', check: async () => void (await platform.db.query('select 1')) },
      { name: 'questdb', check: async () => void (await platform.questdb.exec('select 1')) },
      { name: 'broker', check: () => platform.service.checkListening() },
      ...(options.extraReadiness ?? []),
    ],
  });
  const url = api.url;

  async function request<B>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpReply<B>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
    return { status: res.status, body: parsed as B, text, headers: res.headers };
  }

  async function login(email: string, password = TEST_PASSWORD): Promise<string> {
    const res = await request<{ token: string }>('POST', '/api/v1/auth/login', { body: { email, password } });
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${res.text}`);
    return res.body.token;
  }

  const directory = new UserDirectory(platform.db);
  async function makeOrg(orgId: string, label: string): Promise<TestOrg> {
    const users = {} as Record<Role, TestUser>;
    for (const role of ROLES) {
      const email = `${role}.${label}.${randomUUID().slice(0, 8)}@example.test`;
      const user = await directory.create(orgId, {
        email,
        name: `${role} ${label}`,
        role,
        password: TEST_PASSWORD,
      });
      users[role] = { id: user.id, email, role, orgId, token: await login(email) };
    }
    let n = 0;
    return {
      id: orgId,
      users,
      async provision(kind = 'vehicle') {
        const { device, token } = await platform.registry.provision({
          orgId,
          name: `${label}-dev-${++n}`,
          kind,
        });
        return { id: device.id, token, tenant: orgId };
      },
    };
  }
  const orgA = await makeOrg(platform.tenant, 'a');
  const other = await platform.registry.ensureOrganisation(`t-${randomUUID().slice(0, 8)}`);
  const orgB = await makeOrg(other.id, 'b');

  return {
    platform,
    api,
    url,
    orgA,
    orgB,
    request,
    login,
    async close() {
      await api.close();
      await platform.close();
    },
  };
}

/** A WebSocket client of the hub that keeps every frame it receives, with helpers to wait. */
export class HubClient {
  readonly frames: HubFrame[] = [];
  readonly socket: WebSocket;
  closeCode: number | undefined;
  closeReason = '';
  readonly closed: Promise<void>;
  readonly opened: Promise<void>;

  constructor(url: string, token?: string) {
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
    this.socket = new WebSocket(wsUrl);
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.opened.catch(() => {}); // a refused connection shows as closeCode; tests await `closed`
    this.socket.on('error', (err) => {
      this.closeReason ||= `error: ${err.message}`;
    });
    this.closed = new Promise((resolve) => {
      this.socket.once('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString() || this.closeReason;
        resolve();
      });
    });
    this.socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as HubFrame);
    });
  }

  /** Sends now, or once the socket is open. */
  send(message: unknown): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
    else
      this.opened.then(
        () => this.socket.send(text),
        () => {},
      );
  }

  /** Waits for a frame that matches, looking at frames already received too. */
  async next<T extends HubFrame['type']>(
    type: T,
    match: (f: Extract<HubFrame, { type: T }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<HubFrame, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.frames.find(
        (f): f is Extract<HubFrame, { type: T }> =>
          f.type === type && match(f as Extract<HubFrame, { type: T }>),
      );
      if (found) return found;
      if (this.closeCode !== undefined)
        throw new Error(`socket closed (${this.closeCode} ${this.closeReason}) before a ${type} frame`);
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(
      `no ${type} frame within ${timeoutMs} ms; got ${this.frames.map((f) => f.type).join(',')}`,
    );
  }

  close(): void {
    this.socket.close();
  }
}
