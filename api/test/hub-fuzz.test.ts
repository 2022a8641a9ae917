// Property-based tests of the WebSocket hub against the real API (fast-check): batches of a
// few sockets, each opened with a generated upgrade query and sending a generated stream of
// client messages of every kind (auth, subscribe, unsubscribe, ping) with hostile field values,
// arbitrary JSON and strings, binary frames, random bytes as text, oversized and fragmented
// messages, client closes, plus raw TCP connections with malformed queries and random frame
// bytes. After every batch: a known-good client still gets a pong and positions, every frame
// the hub sent anyone was a JSON text frame with a `type`, and no unexpected error was counted
// (fleet_unexpected_errors_total: a counted fault is a bug to fix, not to hide).
//
// Seed and size: test/fuzz.ts (FUZZ_SEED replays, FUZZ_RUNS scales the number of batches).
import { connect as netConnect } from 'node:net';
import type { HubFrame } from '@fleet/shared';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HubClient, startTestApi, type TestApi } from '../../test/api-support.ts';
import { fuzzParameters } from '../../test/fuzz.ts';

let t: TestApi;
let good: HubClient;
let deviceId: string;
let tokens: string[];

beforeAll(async () => {
  // The rate limit would close most fuzzing sockets early (4029 is tested in hub.test.ts).
  t = await startTestApi({ HUB_TICK_MS: 50, HUB_CLIENT_MSG_RATE: 10_000 });
  deviceId = (await t.orgA.provision()).id;
  tokens = [t.orgA.users.viewer.token, t.orgA.users.admin.token, t.orgB.users.admin.token];
  good = new HubClient(t.url, t.orgA.users.dispatcher.token);
  good.send({ op: 'subscribe', topics: ['positions'] });
  await good.next('snapshot');
});
afterAll(async () => {
  good?.close();
  await t?.close();
});

async function unexpectedErrors(): Promise<string[]> {
  const text = await t.platform.metrics.getSingleMetricAsString('fleet_unexpected_errors_total');
  return [...text.matchAll(/^fleet_unexpected_errors_total(\{[^}]*\}) (\d+)/gm)]
    .filter((m) => Number(m[2]) > 0)
    .map((m) => `${m[1]} ${m[2]}`);
}

// ---- generators ----

const nasty = fc.constantFrom(
  '',
  '\u0000',
  'a\u0000b',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '💥🚚',
  '\uD800',
  '\u202E',
  'positions\n',
  ' positions',
  'POSITIONS',
  '%00',
  '../etc/passwd',
  "' or '1'='1",
  'x'.repeat(5000),
);
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: nasty },
);
const json = fc.jsonValue({ maxDepth: 3 });
const jwtLike = fc
  .array(fc.base64String({ maxLength: 60 }), { minLength: 3, maxLength: 3 })
  .map((parts) => parts.map((p) => p.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_')).join('.'));
/** Tokens that keep an organisation A socket open. */
const goodToken = fc.integer({ min: 0, max: 1 }).map((i) => tokens[i] as string);
/** Any token: valid ones of both organisations, near misses, JWT-shaped junk, strings. */
const token = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 2 }).map((i) => tokens[i] as string) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }).map((i) => `${tokens[i]}x`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }).map((i) => (tokens[i] as string).slice(0, -2)) },
  { weight: 2, arbitrary: jwtLike },
  { weight: 2, arbitrary: text },
);
const topic = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('positions', 'status', 'events', 'alerts') },
  { weight: 2, arbitrary: fc.constant(null).map(() => `device:${deviceId}`) },
  { weight: 2, arbitrary: fc.stringMatching(/^device:[A-Za-z0-9_-]{3,64}$/) },
  { weight: 1, arbitrary: fc.constantFrom('device:__proto__', 'device:constructor', 'device:toString') },
  { weight: 2, arbitrary: text.map((s) => `device:${s}`) },
  { weight: 1, arbitrary: text },
);
const topics = fc.oneof(
  { weight: 6, arbitrary: fc.array(topic, { minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.array(topic, { minLength: 95, maxLength: 130 }) },
  { weight: 1, arbitrary: fc.constant([]) },
  { weight: 2, arbitrary: json },
);
const op = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('auth', 'subscribe', 'unsubscribe', 'ping') },
  { weight: 1, arbitrary: text },
  { weight: 1, arbitrary: json },
);
const extraKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'op', 'x', 'topics', 'token'),
  text,
);
const extras = fc.array(fc.tuple(extraKey, json), { maxLength: 3 });

/** A JSON object as text, so that keys like __proto__ and repeated keys reach the wire as such. */
const objectText = (entries: [string, unknown][]) =>
  `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;

const withExtras = (base: fc.Arbitrary<[string, unknown][]>) =>
  fc
    .tuple(base, fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: extras }))
    .map(([b, e]) => objectText([...b, ...(e as [string, unknown][])]));

/**
 * Messages of every kind. With `tok` = goodToken none of them closes the socket (a wrong token
 * would: 4001), so a socket gets through many of them; with `token` they may.
 */
const clientMessage = (tok: fc.Arbitrary<string>) =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: withExtras(
        tok.map(
          (v) =>
            [
              ['op', 'auth'],
              ['token', v],
            ] as [string, unknown][],
        ),
      ),
    },
    {
      weight: 4,
      arbitrary: withExtras(
        topics.map(
          (ts) =>
            [
              ['op', 'subscribe'],
              ['topics', ts],
            ] as [string, unknown][],
        ),
      ),
    },
    {
      weight: 2,
      arbitrary: withExtras(
        topics.map(
          (ts) =>
            [
              ['op', 'unsubscribe'],
              ['topics', ts],
            ] as [string, unknown][],
        ),
      ),
    },
    { weight: 3, arbitrary: withExtras(fc.constant([['op', 'ping']] as [string, unknown][])) },
    {
      weight: 2,
      // Any subset of the fields with values of any type (a string token only from `tok`), in any order.
      arbitrary: fc
        .record(
          {
            op,
            token: fc.oneof(
              tok,
              json.filter((v) => typeof v !== 'string'),
            ),
            topics: fc.oneof(topics, json),
          },
          { requiredKeys: [] },
        )
        .chain((r) => fc.shuffledSubarray(Object.entries(r)))
        .map((entries) => objectText(entries)),
    },
  );

type Action =
  | { kind: 'text'; data: string }
  | { kind: 'binary'; data: Uint8Array }
  | { kind: 'bytesAsText'; data: Uint8Array }
  | { kind: 'big'; bytes: number; binary: boolean }
  | { kind: 'fragments'; parts: string[] }
  | { kind: 'controlPing'; data: Uint8Array }
  | { kind: 'close'; code: number }
  | { kind: 'terminate' }
  | { kind: 'pause'; ms: number };

/** Frames after which the socket is still open. */
const keepsOpen: fc.Arbitrary<Action> = fc.oneof(
  { weight: 40, arbitrary: clientMessage(goodToken).map((data) => ({ kind: 'text' as const, data })) },
  { weight: 6, arbitrary: json.map((v) => ({ kind: 'text' as const, data: JSON.stringify(v) })) },
  { weight: 6, arbitrary: text.map((data) => ({ kind: 'text' as const, data })) },
  {
    weight: 3,
    arbitrary: fc.uint8Array({ maxLength: 300 }).map((data) => ({ kind: 'binary' as const, data })),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.string({ maxLength: 30 }), { minLength: 2, maxLength: 5 })
      .map((parts) => ({ kind: 'fragments' as const, parts })),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 125 }).map((data) => ({ kind: 'controlPing' as const, data })),
  },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 30 }).map((ms) => ({ kind: 'pause' as const, ms })) },
);
/** Frames that may end the socket: any token, bytes that are not UTF-8, oversized frames, closes. */
const mayClose: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: clientMessage(token).map((data) => ({ kind: 'text' as const, data })) },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .map((data) => ({ kind: 'bytesAsText' as const, data })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ bytes: fc.integer({ min: 16 * 1024 - 2, max: 70 * 1024 }), binary: fc.boolean() })
      .map((r) => ({ kind: 'big' as const, ...r })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(1000, 1001, 3000, 4000, 4999)
      .map((code) => ({ kind: 'close' as const, code })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'terminate' as const }) },
);
const anyAction = fc.oneof({ weight: 3, arbitrary: keepsOpen }, { weight: 1, arbitrary: mayClose });

// Upgrade queries: valid tokens, hostile ones, broken percent escapes, repeated parameters.
// (A lone surrogate cannot be percent-encoded: it goes as U+FFFD, as a browser would send it.)
const enc = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));
const percentJunk = fc.stringMatching(/^[%0-9A-Fa-fgGzZ&=+._~-]{0,40}$/);
const query = fc.oneof(
  { weight: 4, arbitrary: token.map((tok) => `token=${enc(tok)}`) },
  { weight: 2, arbitrary: percentJunk.map((j) => `token=${j}`) },
  { weight: 1, arbitrary: percentJunk },
  { weight: 1, arbitrary: fc.tuple(token, token).map(([a, b]) => `token=${enc(a)}&token=${enc(b)}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      'token',
      'token=',
      'token=%',
      'token=%E2%82',
      'token=%C0%AF',
      'token=%00',
      '&&&',
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

interface WsPlan {
  kind: 'ws';
  query: string | undefined;
  actions: Action[];
}
interface RawPlan {
  kind: 'raw';
  /** Sent as bytes in the request line, so nothing normalises it on the way. */
  query: string;
  frames: { opcode: number; fin: boolean; payload: Uint8Array }[];
  junk: Uint8Array;
}

const rawQuery = fc.oneof(
  query.map((q) => q ?? ''),
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.uint8Array({ maxLength: 40 }).map((b) =>
    Buffer.from(b)
      .toString('latin1')
      .replace(/[\r\n ]/g, ''),
  ),
);
/** A socket of organisation A that lives through many messages, and may end with one that closes it. */
const deepPlan: fc.Arbitrary<WsPlan> = fc
  .record({
    query: fc.oneof(
      { weight: 4, arbitrary: goodToken.map((tok) => `token=${enc(tok)}`) },
      { weight: 1, arbitrary: goodToken.map((tok) => `token=${enc(tok)}&token=junk&x=%zz`) },
    ),
    body: fc.array(keepsOpen, { minLength: 20, maxLength: 80 }),
    last: fc.option(mayClose),
  })
  .map(({ query, body, last }) => ({
    kind: 'ws' as const,
    query,
    actions: last === null ? body : [...body, last],
  }));
/** A socket opened with any query, sending anything. */
const hostilePlan: fc.Arbitrary<WsPlan> = fc.record({
  kind: fc.constant('ws' as const),
  query,
  actions: fc.array(anyAction, { minLength: 1, maxLength: 30 }),
});
const rawPlan: fc.Arbitrary<RawPlan> = fc.record({
  kind: fc.constant('raw' as const),
  query: rawQuery,
  frames: fc.array(
    fc.record({
      opcode: fc.integer({ min: 0, max: 15 }),
      fin: fc.boolean(),
      payload: fc.uint8Array({ maxLength: 200 }),
    }),
    { maxLength: 6 },
  ),
  junk: fc.uint8Array({ maxLength: 64 }),
});
const batch = fc
  .tuple(
    fc.array(deepPlan, { minLength: 2, maxLength: 4 }),
    fc.array(hostilePlan, { maxLength: 3 }),
    fc.array(rawPlan, { maxLength: 1 }),
  )
  .map(([deep, hostile, raw]) => ({ ws: [...deep, ...hostile], raw }));

// ---- running a batch ----

const stats = {
  batches: 0,
  sockets: 0,
  rawSockets: 0,
  messages: 0,
  serverFrames: 0,
  serverTypes: new Map<string, number>(),
  closeCodes: new Map<number, number>(),
  rawAnswers: new Map<string, number>(),
};
const bump = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);

/** Every server frame must be a JSON text frame with a `type`; returns the type. */
function checkFrame(data: WebSocket.RawData, isBinary: boolean, problems: string[]): string | undefined {
  stats.serverFrames++;
  if (isBinary) {
    problems.push('a binary frame from the server');
    return undefined;
  }
  try {
    const frame = JSON.parse(data.toString()) as { type?: unknown };
    if (typeof frame?.type !== 'string') {
      problems.push(`a frame without a type: ${data.toString().slice(0, 100)}`);
      return undefined;
    }
    bump(stats.serverTypes, frame.type);
    return frame.type;
  } catch {
    problems.push(`a frame that is not JSON: ${data.toString().slice(0, 100)}`);
    return undefined;
  }
}

/** Frames of the live traffic, which come whether or not the socket sent anything. */
const LIVE_FRAMES = new Set(['positions', 'status', 'event']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runWs(plan: WsPlan, problems: string[]): Promise<void> {
  stats.sockets++;
  const base = `${t.url.replace(/^http/, 'ws')}/ws`;
  const ws = new WebSocket(plan.query === undefined ? base : `${base}?${plan.query}`);
  let lastActivity = Date.now();
  let closed = false;
  let orgId: string | undefined;
  ws.on('message', (data, isBinary) => {
    const type = checkFrame(data, isBinary, problems);
    if (type === undefined || !LIVE_FRAMES.has(type)) lastActivity = Date.now();
    const frameText = data.toString();
    if (type === 'hello') orgId ??= (JSON.parse(frameText) as { orgId: string }).orgId;
    // Before a hello only errors come; and nothing of organisation A reaches anyone else.
    else if (type !== undefined && type !== 'error' && orgId === undefined)
      problems.push(`a ${type} frame before any hello: ${frameText.slice(0, 100)}`);
    if (
      orgId !== undefined &&
      orgId !== t.orgA.id &&
      (frameText.includes(deviceId) || frameText.includes('fuzz-dev-'))
    )
      problems.push(`organisation A's data on a socket of ${orgId}: ${frameText.slice(0, 100)}`);
  });
  ws.on('error', () => {});
  const closedPromise = new Promise<void>((resolve) =>
    ws.once('close', (code) => {
      closed = true;
      bump(stats.closeCodes, code);
      resolve();
    }),
  );
  await Promise.race([new Promise((r) => ws.once('open', r)), closedPromise, sleep(5_000)]);
  for (const [i, a] of plan.actions.entries()) {
    if (ws.readyState !== WebSocket.OPEN) break;
    try {
      switch (a.kind) {
        case 'text':
          ws.send(a.data);
          break;
        case 'binary':
          ws.send(a.data, { binary: true });
          break;
        case 'bytesAsText':
          ws.send(a.data, { binary: false });
          break;
        case 'big':
          ws.send(Buffer.alloc(a.bytes, 0x61), { binary: a.binary });
          break;
        case 'fragments':
          for (const [j, part] of a.parts.entries())
            ws.send(part, { binary: false, fin: j === a.parts.length - 1 });
          break;
        case 'controlPing':
          ws.ping(a.data);
          break;
        case 'close':
          ws.close(a.code, 'fuzz');
          break;
        case 'terminate':
          ws.terminate();
          break;
        case 'pause':
          await sleep(a.ms);
          break;
      }
      stats.messages++;
    } catch {
      // The client library refused (closing already): the server saw nothing of it.
    }
    lastActivity = Date.now();
    if (i % 16 === 15) await sleep(0);
  }
  // Until the hub has answered everything (quiet for a while) or the socket is gone.
  const deadline = Date.now() + 3_000;
  while (!closed && Date.now() < deadline && Date.now() - lastActivity < 150) await sleep(20);
  ws.terminate();
  await Promise.race([closedPromise, sleep(1_000)]);
}

/** A masked client frame (RFC 6455 5.2). */
function clientFrame(opcode: number, payload: Uint8Array, fin: boolean): Buffer {
  const mask = Buffer.from([0x5a, 0xa5, 0x0f, 0xf0]);
  const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | len])
      : Buffer.from([(fin ? 0x80 : 0) | opcode, 0xfe, len >> 8, len & 0xff]);
  return Buffer.concat([head, mask, masked]);
}

async function runRaw(plan: RawPlan, problems: string[]): Promise<void> {
  stats.rawSockets++;
  const { hostname, port } = new URL(t.url);
  await new Promise<void>((resolve) => {
    const socket = netConnect({ host: hostname, port: Number(port) });
    let received = Buffer.alloc(0);
    let upgraded = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    // The upgrade must be answered (101 or an HTTP error) or the connection closed: never left hanging.
    const timer = setTimeout(() => {
      if (received.length === 0)
        problems.push(`no answer to an upgrade with the query ${JSON.stringify(plan.query)}`);
      done();
    }, 3_000);
    socket.on('error', () => {});
    socket.on('close', () => {
      if (received.length === 0) bump(stats.rawAnswers, 'closed');
      done();
    });
    socket.on('data', (d: Buffer) => {
      if (received.length === 0) bump(stats.rawAnswers, d.toString('latin1', 0, 12));
      received = Buffer.concat([received, d]);
      if (upgraded || !received.toString('latin1').startsWith('HTTP/1.1 101')) return;
      upgraded = true;
      for (const f of plan.frames) socket.write(clientFrame(f.opcode, f.payload, f.fin));
      socket.write(plan.junk);
      setTimeout(done, 150);
    });
    socket.write(
      Buffer.concat([
        Buffer.from('GET /ws'),
        plan.query === '' ? Buffer.alloc(0) : Buffer.from(`?${plan.query}`, 'latin1'),
        Buffer.from(
          ' HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        ),
      ]),
    );
  });
}

let traffic = 0;
/** Positions, status and events of organisation A, straight onto the platform's bus. */
function publishTraffic(): void {
  const now = Date.now();
  const id = traffic % 3 === 0 ? deviceId : `fuzz-dev-${traffic % 7}`;
  traffic++;
  const bus = t.platform.bus;
  bus.publish('position', {
    tenant: t.orgA.id,
    deviceId: id,
    ts: now,
    receivedAt: now,
    lat: 61,
    lon: 25,
    speedKmh: traffic % 2 === 0 ? undefined : 12,
    headingDeg: undefined,
    ignition: undefined,
    seq: traffic,
  });
  if (traffic % 5 === 0)
    bus.publish('status', {
      tenant: t.orgA.id,
      deviceId: id,
      status: traffic % 10 === 0 ? 'online' : 'offline',
      at: now,
    });
  if (traffic % 7 === 0)
    bus.publish('device-event', {
      tenant: t.orgA.id,
      deviceId: id,
      seq: traffic,
      ts: now,
      receivedAt: now,
      kind: 'HARSH_BRAKING',
      lat: undefined,
      lon: undefined,
      speedKmh: 30,
      peakG: 0.6,
      buttonId: undefined,
      firmware: undefined,
      detail: 'fuzz',
    });
}

let round = 0;
/** The known-good client answers a ping and gets a fresh position; a new socket works too. */
async function expectServing(): Promise<void> {
  expect(good.closeCode, `the good client was closed: ${good.closeReason}`).toBeUndefined();
  const pongs = good.frames.filter((f) => f.type === 'pong').length;
  good.send({ op: 'ping' });
  await expect
    .poll(() => good.frames.filter((f) => f.type === 'pong').length, { timeout: 5_000 })
    .toBe(pongs + 1);
  const lat = 60 + ++round * 1e-5;
  const now = Date.now();
  t.platform.bus.publish('position', {
    tenant: t.orgA.id,
    deviceId,
    ts: now,
    receivedAt: now,
    lat,
    lon: 24.9,
    speedKmh: 20,
    headingDeg: 90,
    ignition: true,
    seq: round,
  });
  await good.next(
    'positions',
    (f: Extract<HubFrame, { type: 'positions' }>) => f.positions.some((p) => p.lat === lat),
    5_000,
  );
  // Frames only grow; keep the good client's memory flat over a long run.
  good.frames.splice(0, good.frames.length - 50);
}

describe('the hub under generated input', () => {
  it('answers every generated message with JSON frames or a close, keeps serving, and counts no fault', async () => {
    const { seed, runs } = fuzzParameters('WebSocket hub', 40);
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(batch, async ({ ws: wsPlans, raw: rawPlans }) => {
        stats.batches++;
        const problems: string[] = [];
        // Live traffic meanwhile, so fan-out meets sockets that subscribe, close and vanish.
        const traffic = setInterval(publishTraffic, 20);
        try {
          await Promise.all([
            ...wsPlans.map((p) => runWs(p, problems)),
            ...rawPlans.map((p) => runRaw(p, problems)),
          ]);
        } finally {
          clearInterval(traffic);
        }
        expect(problems).toEqual([]);
        // 1011 would be the hub failing (and counted as a fault); 4008 a slow-reader verdict.
        expect(stats.closeCodes.get(1011) ?? 0).toBe(0);
        await expectServing();
        expect(await unexpectedErrors()).toEqual([]);
      }),
      { seed, numRuns: runs, endOnFailure: process.env.FUZZ_SHRINK === undefined },
    );
    console.log(
      `fuzz WebSocket hub: ${stats.batches} batches, ${stats.sockets} sockets, ${stats.rawSockets} raw connections, ` +
        `${stats.messages} client frames sent, ${stats.serverFrames} server frames checked in ${Date.now() - started} ms; ` +
        `server frames ${JSON.stringify(Object.fromEntries(stats.serverTypes))}; ` +
        `close codes ${JSON.stringify(Object.fromEntries(stats.closeCodes))}; ` +
        `raw upgrade answers ${JSON.stringify(Object.fromEntries(stats.rawAnswers))}`,
    );
  }, 120_000);
});
