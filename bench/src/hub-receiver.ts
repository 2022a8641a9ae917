// The WebSocket side of the hub bench: many clients of the hub's /ws in one process, started by
// bench/src/hub.ts with an IPC channel and driven only by its commands (hub-protocol.ts). Every
// client subscribes to `positions`. Most clients only count frames and bytes (a frame's type
// is read from its first bytes, never parsed); the first `sample` clients JSON.parse every
// positions frame and record, per position, the time from its device time (the moment the
// generator published it) to the frame's arrival. The process exits when its parent goes.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { columnsToPositions, MsHistogram } from '@fleet/shared';
import WebSocket from 'ws';
import type { ReceiverCommand, ReceiverEvent, ReceiverPhaseStats, WindowCommand } from './hub-protocol.ts';
import { type FramePosition, frameType, recordFrameLatencies, spread } from './hub-stats.ts';

const send = process.send?.bind(process);
if (!send) throw new Error('hub-receiver.ts runs as a child process with an IPC channel');
const post = (event: ReceiverEvent) => {
  if (process.connected) send(event);
};

interface Client {
  slot: number;
  sample: boolean;
  ws: WebSocket;
  open: boolean;
  /** positions frames in the current window. */
  windowFrames: number;
}

const CONNECT_ATTEMPTS = 3;
const slots: (Client | undefined)[] = [];
let totalFrames = 0;
let totalBytes = 0;

// The current window.
let win: WindowCommand | undefined;
let stats = emptyStats();
const latency = new MsHistogram();
/** The same latencies over the last second only (progress and the timeline). */
const secondLatency = new MsHistogram();
/** How late a 20 ms timer fires: the receiver's own event-loop delay, which adds to the latency it measures. */
const LAG_PROBE_MS = 20;
const loopDelay = new MsHistogram();
let lagProbe: NodeJS.Timeout | undefined;
let eluStart = performance.eventLoopUtilization();
/** Clients that took part in the window (open at its start, or opened during it). */
let windowClients = new Set<Client>();

function emptyStats(): ReceiverPhaseStats {
  return {
    clients: 0,
    sampleClients: 0,
    frames: 0,
    framesThroughCollect: 0,
    otherFrames: 0,
    bytes: 0,
    perClientFrames: { min: 0, p50: 0, max: 0 },
    sampleFrames: 0,
    samplePositions: 0,
    latency: [],
    ahead: 0,
    closed: {},
    errors: 0,
    openAtEnd: 0,
    loopDelayP99Ms: 0,
    loopDelayMaxMs: 0,
    loopUtilization: 0,
  };
}

const openClients = () => slots.filter((c) => c?.open).length;

function onFrame(c: Client, data: Buffer): void {
  const now = Date.now();
  totalFrames++;
  totalBytes += data.length;
  const inWindow = win !== undefined && now >= win.start && now < win.end;
  const type = frameType(data);
  if (inWindow) stats.bytes += data.length;
  if (type !== 'positions') {
    if (inWindow) stats.otherFrames++;
    return;
  }
  if (win !== undefined && now >= win.start) stats.framesThroughCollect++;
  if (inWindow) {
    stats.frames++;
    c.windowFrames++;
  }
  if (!c.sample || win === undefined) return;
  const frame = JSON.parse(data.toString('utf8')) as {
    at: number;
    positions?: FramePosition[];
    cols?: unknown;
  };
  // A columns frame is decoded as the console does (columnsToPositions), so its cost is counted.
  const positions = frame.positions ?? ((columnsToPositions(frame.cols, frame.at) ?? []) as FramePosition[]);
  if (inWindow) stats.sampleFrames++;
  const r = recordFrameLatencies(positions, now, win.start, win.end, latency, secondLatency);
  stats.samplePositions += r.counted;
  stats.ahead += r.ahead;
}

type Ensure = Extract<ReceiverCommand, { type: 'ensure' }>;
/** The format and viewport of the open clients: an ensure with others reconnects them all. */
let openKey = '';

/** A client's own box: the bench's, moved by a slot-seeded offset of up to jitterDeg. */
function boxOf(slot: number, v: NonNullable<Ensure['viewport']>): [number, number, number, number] {
  const a = Math.sin(slot * 12.9898) * 43758.5453;
  const b = Math.sin(slot * 78.233) * 12345.6789;
  const dx = (a - Math.floor(a) - 0.5) * 2 * v.jitterDeg;
  const dy = (b - Math.floor(b) - 0.5) * 2 * v.jitterDeg;
  const [w, s, e, n] = v.bbox;
  return [w + dx, s + dy, e + dx, n + dy];
}

function connect(slot: number, cmd: Ensure): Promise<Client> {
  const { url, timeoutMs } = cmd;
  const sample = slot < cmd.sample;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      maxPayload: 256 * 1024 * 1024,
      handshakeTimeout: timeoutMs,
    });
    const c: Client = { slot, sample, ws, open: false, windowFrames: 0 };
    let subscribed = false;
    const timer = setTimeout(() => fail(new Error('no snapshot in time')), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(`client ${slot}: ${err.message}`));
    };
    ws.on('error', (err) => {
      if (!subscribed) fail(err);
      else if (win) stats.errors++;
    });
    ws.on('open', () => {
      opened = true;
      ws.send(JSON.stringify({ op: 'subscribe', topics: ['positions'], format: cmd.format }));
    });
    ws.on('message', (data: WebSocket.RawData) => {
      const buf = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      if (subscribed) {
        onFrame(c, buf);
        return;
      }
      const type = frameType(buf);
      if (before.length < 5) before.push(`${type ?? '?'} (${buf.length} bytes)`);
      if (type === 'error') fail(new Error(`hub error before the snapshot: ${buf.toString('utf8', 0, 300)}`));
      else if (type === 'snapshot' && cmd.viewport) {
        ws.send(JSON.stringify({ op: 'viewport', bbox: boxOf(slot, cmd.viewport), zoom: cmd.viewport.zoom }));
      } else if (type === 'snapshot' || type === 'viewport') {
        subscribed = true;
        c.open = true;
        clearTimeout(timer);
        resolve(c);
      }
    });
    let opened = false;
    const before: string[] = [];
    ws.on('close', (code, reason) => {
      if (!subscribed) {
        const stage = opened
          ? `after the upgrade, frames before: ${before.join(', ') || 'none'}`
          : 'during the upgrade';
        fail(
          new Error(
            `closed before the snapshot (code ${code}${reason.length > 0 ? ` ${reason.toString()}` : ''}, ${stage})`,
          ),
        );
        return;
      }
      const wasOpen = c.open;
      c.open = false;
      if (wasOpen && win) stats.closed[String(code)] = (stats.closed[String(code)] ?? 0) + 1;
    });
  });
}

async function ensure(cmd: Extract<ReceiverCommand, { type: 'ensure' }>): Promise<void> {
  const started = performance.now();
  let closed = 0;
  const key = JSON.stringify([cmd.format, cmd.viewport ?? null]);
  if (key !== openKey) {
    for (const c of slots) {
      if (c?.open) {
        c.open = false;
        c.ws.close(1000, 'bench: other format or viewport');
        closed++;
      }
    }
    slots.length = 0;
    openKey = key;
  }
  // Close extra clients (a smaller count than before).
  for (let i = cmd.clients; i < slots.length; i++) {
    const c = slots[i];
    if (c?.open) {
      c.open = false;
      c.ws.close(1000, 'bench: fewer clients');
      closed++;
    }
  }
  slots.length = Math.min(slots.length, cmd.clients);
  // Open missing ones, `concurrency` at a time.
  const missing: number[] = [];
  for (let i = 0; i < cmd.clients; i++) if (!slots[i]?.open) missing.push(i);
  const failures: string[] = [];
  let opened = 0;
  let failed = 0;
  let next = 0;
  const runner = async () => {
    while (next < missing.length) {
      const slot = missing[next++] as number;
      // A failed attempt is retried twice; every failure is reported (the bench notes them).
      for (let attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt++) {
        try {
          slots[slot] = await connect(slot, cmd);
          opened++;
          break;
        } catch (err) {
          slots[slot] = undefined;
          failed++;
          if (failures.length < 5) failures.push(err instanceof Error ? err.message : String(err));
          if (attempt < CONNECT_ATTEMPTS) await sleep(250);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, cmd.concurrency) }, runner));
  post({
    type: 'ensured',
    open: openClients(),
    opened,
    closed,
    ms: performance.now() - started,
    failed,
    failures,
  });
}

function startWindow(cmd: WindowCommand): void {
  win = cmd;
  stats = emptyStats();
  latency.reset();
  windowClients = new Set();
  for (const c of slots) {
    if (!c?.open) continue;
    c.windowFrames = 0;
    windowClients.add(c);
  }
  stats.clients = windowClients.size;
  stats.sampleClients = [...windowClients].filter((c) => c.sample).length;
  loopDelay.reset();
  if (lagProbe) clearInterval(lagProbe);
  let expected = performance.now() + LAG_PROBE_MS;
  lagProbe = setInterval(() => {
    const now = performance.now();
    loopDelay.record(now - expected);
    expected = now + LAG_PROBE_MS;
  }, LAG_PROBE_MS);
  eluStart = performance.eventLoopUtilization();
}

function collect(): void {
  const elu = performance.eventLoopUtilization(eluStart);
  if (lagProbe) clearInterval(lagProbe);
  lagProbe = undefined;
  // A loop that never got to its timer was blocked for the whole window.
  const blockedMs = win ? Math.max(0, Math.min(Date.now(), win.end) - win.start) : 0;
  stats.perClientFrames = spread([...windowClients].map((c) => c.windowFrames));
  stats.latency = latency.toPairs();
  stats.openAtEnd = openClients();
  stats.loopDelayP99Ms = loopDelay.count > 0 ? loopDelay.percentile(99) : blockedMs;
  stats.loopDelayMaxMs = loopDelay.count > 0 ? loopDelay.max : blockedMs;
  stats.loopUtilization = elu.utilization;
  win = undefined;
  post({ type: 'collected', stats });
}

function closeAll(): void {
  for (const c of slots) {
    if (!c) continue;
    c.open = false;
    c.ws.terminate();
  }
  slots.length = 0;
  post({ type: 'closed-all' });
}

const ticker = setInterval(() => {
  post({
    type: 'tick',
    at: Date.now(),
    frames: totalFrames,
    bytes: totalBytes,
    open: openClients(),
    samplePositions: stats.samplePositions,
    p50Ms: secondLatency.percentile(50),
    p99Ms: secondLatency.percentile(99),
    samples: secondLatency.count,
  });
  secondLatency.reset();
}, 1000);

process.on('message', (cmd: ReceiverCommand) => {
  const fail = (err: unknown) =>
    post({ type: 'error', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  try {
    switch (cmd.type) {
      case 'ensure':
        ensure(cmd).catch(fail);
        break;
      case 'window':
        startWindow(cmd);
        break;
      case 'collect':
        collect();
        break;
      case 'close-all':
        closeAll();
        break;
    }
  } catch (err) {
    fail(err);
  }
});

// The bench is gone (or done): close everything and leave.
process.on('disconnect', () => {
  clearInterval(ticker);
  for (const c of slots) c?.ws.terminate();
  process.exit(0);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => {}); // the bench's Ctrl-C handler stops this process in order
post({ type: 'ready' });
