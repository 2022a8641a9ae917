// The HTTP boundary against hostile input: what probing from outside found (each pinned), a
// handler that throws (the process serves on), and generated requests for every route of the
// OpenAPI document. Nothing a client sends may give a 5xx other than 503, or count a fault.
import * as uws from 'uWebSockets.js';
import { connect } from 'node:net';
import { DeviceEventKind, encodeDeviceEvent } from '@fleet/proto';
import { createFaultReporter, silentLogger } from '@fleet/shared';
import { sqlString } from '@fleet/shared/questdb';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/api-support.ts';
import { fuzzParameters } from '../../test/fuzz.ts';
import { connectDevice, waitForRows } from '../../test/support.ts';
import { PlatformOperators } from '../src/domains/organisations/operators.ts';
import { defineRoute } from '../src/http/route.ts';
import { registerRoutes } from '../src/http/server.ts';

let t: TestApi;
const admin = () => t.orgA.users.admin.token;

beforeAll(async () => {
  // The fuzzer tries wrong logins by the thousand; the login limits are tested on their own.
  t = await startTestApi({ AUTH_LOGIN_MAX_FAILURES: 1000, AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS: 100_000 });
});
afterAll(() => t.close());

async function unexpectedErrors(): Promise<number> {
  const text = await t.platform.metrics.getSingleMetricAsString('fleet_unexpected_errors_total');
  return [...text.matchAll(/^fleet_unexpected_errors_total\{[^}]*\} (\d+)/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

/** Sends bytes on a raw connection and returns everything the server wrote until it closed. */
function rawHttp(port: number, request: string, waitMs = 1500): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed });
    }, waitMs);
    socket.on('data', (d) => {
      text += d.toString('latin1');
    });
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ text, closed });
    });
    socket.on('error', () => {});
    socket.write(request);
  });
}

describe('found by probing from outside', () => {
  it('GET /api/v1/docs/%ZZ answers 400 from the catalogue and the platform serves on', async () => {
    const res = await t.request<{ error: { code: string; details: { path: string }[] } }>(
      'GET',
      '/api/v1/docs/%ZZ',
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed_request');
    expect(res.body.error.details[0]?.path).toBe('params.file');
    expect((await t.request('GET', '/health')).status).toBe(200);
  });

  it('every route with a path parameter refuses malformed percent-escapes with 400', async () => {
    const withParams = t.api.routes.filter((r) => r.path.includes('{'));
    expect(withParams.length).toBeGreaterThan(5);
    const operator = { email: 'ops.hardening@platform.test', password: 'operator long password' };
    await new PlatformOperators(t.platform.db).create({ ...operator, name: 'Ops' });
    const operatorToken = (
      await t.request<{ token: string }>('POST', '/api/v1/platform/login', { body: operator })
    ).body.token;
    for (const route of withParams) {
      for (const bad of ['%ZZ', '%', '%C3%28', '%E0%A4%A', '%ED%A0%80']) {
        const path = route.path.replace(/\{[^}]+\}/g, bad);
        const res = await t.request<{ error: { code: string } }>(route.method.toUpperCase(), path, {
          token: route.access === 'operator' ? operatorToken : admin(),
          ...(route.body ? { body: {} } : {}),
        });
        expect(res.status, `${route.method} ${path}`).toBe(400);
        expect(res.body.error.code, `${route.method} ${path}`).toBe('malformed_request');
      }
    }
    expect(await unexpectedErrors()).toBe(0);
  });

  it('two different Content-Length headers are refused and the connection closed (RFC 9112 6.3)', async () => {
    const body = '{"email":"a@b.c","password":"x"}';
    const request = [
      'POST /api/v1/auth/login HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Content-Length: ${body.length}`,
      'Content-Length: 5',
      '',
      body,
    ].join('\r\n');
    const answer = await rawHttp(t.api.port, request);
    expect(answer.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer.text).toContain('"malformed_request"');
    expect(answer.closed).toBe(true);
    const chunkedAndLength = [
      'POST /api/v1/auth/login HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      'Transfer-Encoding: chunked',
      `Content-Length: ${body.length}`,
      '',
      body,
    ].join('\r\n');
    const second = await rawHttp(t.api.port, chunkedAndLength);
    expect(second.text).toMatch(/^HTTP\/1\.1 400 /);
    expect((await t.request('GET', '/health')).status).toBe(200);
  });

  it('a NUL in a name, an email or a query is a 400, not a 500 from the database', async () => {
    const device = await t.orgA.provision();
    const cases = [
      { method: 'POST', path: '/api/v1/devices', body: { name: 'van\u00001', kind: 'vehicle' } },
      { method: 'PATCH', path: `/api/v1/devices/${device.id}`, body: { name: 'a\u0000b' } },
      { method: 'PATCH', path: '/api/v1/organisation', body: { name: 'Acme\u0000' } },
      {
        method: 'POST',
        path: '/api/v1/users',
        body: {
          email: 'x\u0000@example.test',
          name: 'n',
          role: 'viewer',
          password: 'a long enough password',
        },
      },
      { method: 'POST', path: '/api/v1/auth/login', body: { email: 'a\u0000@b.c', password: 'x' } },
      { method: 'GET', path: '/api/v1/devices?name=%00', body: undefined },
    ];
    for (const c of cases) {
      const res = await t.request<{ error: { code: string } }>(c.method, c.path, {
        token: admin(),
        ...(c.body ? { body: c.body } : {}),
      });
      expect(res.status, `${c.method} ${c.path}`).toBe(400);
      expect(res.body.error.code, `${c.method} ${c.path}`).toBe('validation_failed');
    }
  });

  it('an event whose detail holds a NUL is listed with the others, escaped (it emptied every range)', async () => {
    const device = await t.orgA.provision();
    const client = await connectDevice(t.platform.service.mqttPort, device);
    const now = Date.now();
    const events = [
      { seq: 1, tsMs: now - 3000, kind: DeviceEventKind.CRASH, detail: 'crash before', peakG: 4 },
      { seq: 2, tsMs: now - 2000, kind: DeviceEventKind.TAMPER, detail: 'lid\u0000open\u001b[0m' },
    ];
    for (const e of events)
      await client.publishAsync(`devices/${device.id}/events`, Buffer.from(encodeDeviceEvent(e)), { qos: 1 });
    await client.endAsync();
    await waitForRows(
      t.platform.questdb,
      `select * from device_events where device_id = ${sqlString(device.id)} and seq > 0`,
      2,
    );
    const res = await t.request<{ items: { kind: string; detail: string }[] }>(
      'GET',
      `/api/v1/devices/${device.id}/events?from=${now - 60_000}&to=${now + 60_000}`,
      { token: admin() },
    );
    expect(res.status).toBe(200);
    const byKind = Object.fromEntries(res.body.items.map((e) => [e.kind, e.detail]));
    expect(byKind.CRASH).toBe('crash before');
    expect(byKind.TAMPER).toBe('lid\\u0000open\\u001b[0m');
  });

  it('an absurd chart bucket is a 400', async () => {
    const device = await t.orgA.provision();
    for (const bucket of ['999999d', '999999h', '32d']) {
      const res = await t.request<{ error: { code: string } }>(
        'GET',
        `/api/v1/devices/${device.id}/telemetry?from=0&to=86400000&fields=speedKmh&bucket=${bucket}`,
        { token: admin() },
      );
      expect(res.status, bucket).toBe(400);
    }
  });

  it('the OpenAPI document lists every query parameter and the 400/415/500 answers', async () => {
    const doc = (
      await t.request<{
        paths: Record<string, Record<string, OpenApiOperation>>;
        components: { schemas: Record<string, unknown> };
      }>('GET', '/api/v1/openapi.json')
    ).body;
    // A named schema used by several routes is one component, not one copy per use.
    expect(Object.keys(doc.components.schemas).filter((n) => n.includes('InputInput'))).toEqual([]);
    const track = doc.paths['/api/v1/devices/{id}/track']?.get;
    expect(track?.parameters.map((p) => `${p.in}:${p.name}`).sort()).toEqual(
      ['path:id', 'query:format', 'query:from', 'query:maxPoints', 'query:to'].sort(),
    );
    expect(track?.parameters.find((p) => p.name === 'from')?.required).toBe(true);
    for (const route of t.api.routes) {
      const op = doc.paths[route.path]?.[route.method];
      expect(op, route.id).toBeDefined();
      expect(Object.keys(op?.responses ?? {}), route.id).toEqual(expect.arrayContaining(['400', '500']));
      if (route.body)
        expect(Object.keys(op?.responses ?? {}), route.id).toEqual(expect.arrayContaining(['413', '415']));
      if (route.query)
        expect(
          op?.parameters.some((p) => p.in === 'query'),
          route.id,
        ).toBe(true);
    }
  });
});

interface OpenApiOperation {
  parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

describe('a handler that throws', () => {
  it('gives a 500 with a request id, is counted, and the server serves on', async () => {
    const registry = new Registry();
    const faults = createFaultReporter({ log: silentLogger(), registry });
    const app = uws.App();
    const explode = (): never => {
      throw new Error('injected');
    };
    const routes = [
      defineRoute({
        id: 'asyncThrow',
        method: 'get',
        path: '/async',
        tag: 't',
        summary: 'throws inside the handler',
        access: 'public',
        responses: { 200: { description: 'never' } },
        handler: async () => explode(),
      }),
      // A declaration whose parts throw when read: the throw happens in uWS's own callback.
      Object.defineProperty(
        defineRoute({
          id: 'syncThrow',
          method: 'post',
          path: '/sync',
          tag: 't',
          summary: 'throws while the request is read',
          access: 'public',
          responses: { 200: { description: 'never' } },
          handler: async () => ({ status: 200, body: undefined }),
        }),
        'body',
        { get: explode },
      ),
      defineRoute({
        id: 'fine',
        method: 'get',
        path: '/fine',
        tag: 't',
        summary: 'works',
        access: 'public',
        responses: { 204: { description: 'ok' } },
        handler: async () => ({ status: 204, body: undefined }),
      }),
    ];
    registerRoutes(app, routes, {
      log: silentLogger(),
      faults,
      metrics: { observe() {} },
      maxBodyBytes: 1000,
      corsOrigins: [],
      authenticate: async () => explode(),
    });
    const port = await new Promise<number>((resolve) =>
      app.listen('127.0.0.1', 0, (s) => resolve(uws.us_socket_local_port(s as unknown as uws.us_socket))),
    );
    try {
      for (const [method, path] of [
        ['GET', '/async'],
        ['POST', '/sync'],
      ] as const) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, {
          method,
          body: method === 'POST' ? '{}' : undefined,
        });
        expect(res.status, path).toBe(500);
        expect(res.headers.get('x-request-id'), path).toMatch(/^[0-9a-f-]{36}$/);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('internal_error');
      }
      // A bearer token whose check throws: a public route still answers.
      const withToken = await fetch(`http://127.0.0.1:${port}/fine`, {
        headers: { authorization: 'Bearer x' },
      });
      expect(withToken.status).toBe(204);
      const counted = await registry.getSingleMetricAsString('fleet_unexpected_errors_total');
      expect(counted).toContain('boundary="http",site="syncThrow"} 1');
    } finally {
      app.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Generated requests for every route of the OpenAPI document

const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    '%ZZ',
    '%',
    '%00',
    '%C3%28',
    '..%2F..%2Fetc%2Fpasswd',
    "' or 1=1 --",
    '\u0000',
    '9'.repeat(40),
    '-1',
    'NaN',
    'Infinity',
    '1e309',
    '__proto__',
    'constructor',
  ),
  fc.integer().map(String),
  fc.double().map(String),
);

/** A path segment as a client may send it: raw, percent-encoded, or with broken escapes. */
const segment = fc.oneof(
  hostileText.map((s) => encodeURIComponent(s)),
  fc.constantFrom('%ZZ', '%', '%C3%28', '%E0%A4%A', '%ED%A0%80', '%FF', '%2e%2e'),
  fc.uuid(),
);

const jsonValue = fc.jsonValue({ maxDepth: 4 });

/** A body shaped like the route's schema with hostile values, or any JSON at all. */
function bodyFor(schema: Record<string, unknown> | undefined) {
  const props = Object.keys((schema?.properties as Record<string, unknown>) ?? {});
  const shaped = fc.dictionary(
    props.length > 0
      ? fc.oneof(fc.constantFrom(...props), fc.string({ maxLength: 8 }))
      : fc.string({ maxLength: 8 }),
    fc.oneof(hostileText, jsonValue, fc.constant(null)),
    { maxKeys: props.length + 2 },
  );
  return fc.oneof(
    shaped.map((b) => JSON.stringify(b)),
    jsonValue.map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 60 }),
  );
}

describe('generated requests for every route', () => {
  const { seed, runs } = fuzzParameters('REST routes', 1500);

  it('never answer 5xx (except 503), always in the catalogue shape, and count no fault', async () => {
    const doc = (
      await t.request<{ paths: Record<string, Record<string, OpenApiOperation>> }>(
        'GET',
        '/api/v1/openapi.json',
      )
    ).body;
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    // Routes that would end the fuzzer's own session are sent without its token.
    const sessionEnders = new Set(['/api/v1/auth/logout']);
    const device = await t.orgA.provision();
    const user = t.orgA.users.viewer;
    let token = await t.login(t.orgA.users.admin.email);
    const failures: string[] = [];
    const statuses = new Map<string, number>();

    const request = fc.record({
      target: fc.constantFrom(...operations),
      segments: fc.array(fc.oneof(segment, fc.constantFrom(device.id, user.id)), {
        minLength: 4,
        maxLength: 4,
      }),
      query: fc.array(
        fc.tuple(
          fc.oneof(
            fc.string({ maxLength: 10 }),
            fc.constantFrom('from', 'to', 'limit', 'format', 'bucket', 'fields', 'name', 'kind'),
          ),
          hostileText,
          fc.boolean(),
        ),
        { maxLength: 4 },
      ),
      contentType: fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        '',
        'application/jsonx',
      ),
      bodySeed: fc.nat(),
      authorized: fc.boolean(),
    });

    await fc.assert(
      fc.asyncProperty(request, fc.context(), async (r, ctx) => {
        let i = 0;
        const path = r.target.path.replace(/\{[^}]+\}/g, () => r.segments[i++] ?? 'x');
        const query = r.query
          .map(
            ([k, v, encoded]) =>
              `${encodeURIComponent(k)}=${encoded ? encodeURIComponent(v) : v.replace(/[#&\s]/g, '')}`,
          )
          .join('&');
        const schema = (
          r.target.op.requestBody as { content?: Record<string, { schema?: Record<string, unknown> }> }
        )?.content?.['application/json']?.schema;
        const body = r.target.op.requestBody
          ? fc.sample(bodyFor(schema), { seed: r.bodySeed, numRuns: 1 })[0]
          : undefined;
        const headers: Record<string, string> = {};
        if (r.contentType !== '' && body !== undefined) headers['content-type'] = r.contentType;
        if (r.authorized && !sessionEnders.has(r.target.path)) headers.authorization = `Bearer ${token}`;
        const url = `${t.url}${path}${query ? `?${query}` : ''}`;
        let res: Response;
        try {
          res = await fetch(url, { method: r.target.method.toUpperCase(), headers, body });
        } catch (err) {
          // fetch refuses some URLs itself (it never reached the server): not the server's fault.
          ctx.log(`client refused ${url}: ${String(err)}`);
          return;
        }
        const text = await res.text();
        const key = `${Math.floor(res.status / 100)}xx`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (res.status >= 500 && res.status !== 503)
          failures.push(`${res.status} ${r.target.method} ${url} ${text.slice(0, 200)}`);
        expect(res.status, `${r.target.method} ${url}: ${text.slice(0, 200)}`).not.toBeGreaterThanOrEqual(
          500,
        );
        if (res.status >= 400 && (res.headers.get('content-type') ?? '').includes('json')) {
          const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
          expect(typeof parsed.error?.code).toBe('string');
          expect(typeof parsed.error?.message).toBe('string');
        }
        // A generated change may have disabled the fuzzer's user or ended its session.
        if (res.status === 401 && headers.authorization) token = await t.login(t.orgA.users.admin.email);
      }),
      { seed, numRuns: runs },
    );
    console.log(`fuzz REST routes: answers by class ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(failures).toEqual([]);
    // The generator reaches the handlers, not only the validators.
    expect(statuses.get('2xx') ?? 0).toBeGreaterThan(runs / 50);
    expect(await unexpectedErrors()).toBe(0);
    expect((await t.request('GET', '/health')).status).toBe(200);
  });
});

describe('client addresses', () => {
  it('are normalised and taken from X-Forwarded-For only through trusted proxies', async () => {
    const { clientAddress, normaliseAddress } = await import('../src/http/request-checks.ts');
    expect(normaliseAddress('0000:0000:0000:0000:0000:ffff:7f00:0001')).toBe('127.0.0.1');
    expect(normaliseAddress('0000:0000:0000:0000:0000:0000:0000:0001')).toBe('::1');
    expect(normaliseAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    const trusted = new Set(['127.0.0.1', '10.0.0.2']);
    expect(clientAddress('127.0.0.1', '', trusted)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '198.51.100.7', trusted)).toBe('198.51.100.7');
    expect(clientAddress('127.0.0.1', 'spoofed, 198.51.100.7, 10.0.0.2', trusted)).toBe('198.51.100.7');
    expect(clientAddress('192.0.2.1', '198.51.100.7', trusted)).toBe('192.0.2.1');
    expect(clientAddress('127.0.0.1', 'not-an-ip', trusted)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '198.51.100.7', new Set())).toBe('127.0.0.1');
  });
});
