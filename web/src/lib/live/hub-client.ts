// The console's connection to the live hub (/ws): authenticate with {"op":"auth"} (the token
// never goes into a URL, where proxies log it), subscribe, and stay connected: renew the token
// on the open socket before it expires, reconnect with jittered backoff when the socket drops,
// come back with a fresh token after a 4001 close, and resubscribe after every reconnect; the
// hub answers each subscription with a snapshot first, so a reconnected client has no gap.
// Plain TypeScript with the WebSocket and timers injectable: tests drive it in Node against the
// real hub. The rune store in connection.svelte.ts puts its state on screen.
import { HUB_CLOSE, type HubBbox, type HubFrameFormat } from '@fleet/shared/live';
import { type BackoffOptions, backoffDelay, HUB_BACKOFF } from './backoff.ts';
import { clientMessage, type HubFrame, parseFrame } from './frames.ts';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface LiveToken {
  token: string;
  /** ms since the Unix epoch */
  expiresAt: number;
}

export interface LiveTokenRequest {
  /** The token must be valid until at least this time. */
  expiringAfter?: number;
  /** The hub refused this token. */
  rejected?: string;
}

export interface LiveStatus {
  state: LiveState;
  /** When the next connection attempt starts (reconnecting), ms. */
  retryAt: number | undefined;
  /** Why the last connection ended, for the operator. */
  reason: string | undefined;
}

export interface LiveClientOptions {
  /** ws:// or wss:// URL of the hub. */
  url: string;
  /** A valid access token, or undefined when the session has ended (the client then stops). */
  token(request: LiveTokenRequest): Promise<LiveToken | undefined>;
  onFrame(frame: HubFrame): void;
  onStatus?(status: LiveStatus): void;
  /** The session is over: the hub refused us and no new token can be had. */
  onSignedOut?(): void;
  WebSocket?: typeof WebSocket;
  backoff?: BackoffOptions;
  random?: () => number;
  /** Ask the hub for a sign of life after this much silence; give the socket up after 2.5x. */
  heartbeatMs?: number;
  /** How positions frames should come: `columns` is about half the bytes (frames.ts decodes it). Default json. */
  format?: HubFrameFormat;
}

interface Connection {
  socket: WebSocket;
  token: LiveToken | undefined;
  authenticated: boolean;
  /** Server clock minus ours, from the hello frame. */
  skewMs: number;
  lastFrameAt: number;
  timers: Set<ReturnType<typeof setTimeout>>;
}

export class LiveClient {
  readonly #options: LiveClientOptions;
  readonly #topics = new Set<string>();
  /** The map's view the hub filters positions by, across reconnects; undefined: the whole fleet. */
  #viewport: { bbox: HubBbox; zoom: number } | undefined;
  #connection: Connection | undefined;
  #running = false;
  #online = true;
  #attempt = 0;
  #wasLive = false;
  #rejected: string | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #status: LiveStatus = { state: 'offline', retryAt: undefined, reason: undefined };
  /** Counters for diagnostics and tests. */
  readonly stats = { connects: 0, framesReceived: 0, framesRefused: 0, itemsDropped: 0, renewals: 0 };

  constructor(options: LiveClientOptions, topics: readonly string[] = []) {
    this.#options = options;
    for (const t of topics) this.#topics.add(t);
  }

  get status(): LiveStatus {
    return this.#status;
  }

  /** How old a frame stamped `at` by the hub is now (ms), on the hub's clock; 0 when not connected. */
  ageOf(at: number): number {
    const c = this.#connection;
    return c === undefined ? 0 : Math.max(0, Date.now() + c.skewMs - at);
  }

  get topics(): readonly string[] {
    return [...this.#topics];
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#attempt = 0;
    const heartbeatMs = this.#options.heartbeatMs ?? 25_000;
    this.#heartbeat = setInterval(() => this.#checkPulse(heartbeatMs), heartbeatMs);
    this.#connect();
  }

  stop(reason = 'stopped'): void {
    this.#running = false;
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#cancelRetry();
    this.#drop(1000, reason);
    this.#setStatus('offline', undefined, reason);
  }

  /** The browser's network state (navigator.onLine and its events). */
  setOnline(online: boolean): void {
    if (online === this.#online) return;
    this.#online = online;
    if (!this.#running) return;
    if (!online) {
      this.#cancelRetry();
      this.#drop(1000, 'browser offline');
      this.#setStatus('offline', undefined, 'the browser is offline');
    } else {
      this.#attempt = 0;
      this.#connect();
    }
  }

  subscribe(topics: readonly string[]): void {
    const added = topics.filter((t) => !this.#topics.has(t));
    for (const t of added) this.#topics.add(t);
    if (added.length > 0) this.#send(this.#subscribeMessage(added));
  }

  /** Positions only inside the box (cluster counts for the rest); undefined: the whole fleet again. */
  setViewport(viewport: { bbox: HubBbox; zoom: number } | undefined): void {
    const had = this.#viewport !== undefined;
    this.#viewport = viewport;
    if (viewport) this.#send({ op: 'viewport', bbox: viewport.bbox, zoom: viewport.zoom });
    else if (had) this.#send({ op: 'viewport', bbox: null });
  }

  unsubscribe(topics: readonly string[]): void {
    const removed = topics.filter((t) => this.#topics.delete(t));
    if (removed.length > 0) this.#send({ op: 'unsubscribe', topics: removed });
  }

  #subscribeMessage(topics: string[]): Parameters<typeof clientMessage>[0] {
    const format = this.#options.format;
    return format === undefined ? { op: 'subscribe', topics } : { op: 'subscribe', topics, format };
  }

  #setStatus(state: LiveState, retryAt: number | undefined, reason: string | undefined): void {
    const s = this.#status;
    if (s.state === state && s.retryAt === retryAt && s.reason === reason) return;
    this.#status = { state, retryAt, reason };
    this.#options.onStatus?.(this.#status);
  }

  #send(message: Parameters<typeof clientMessage>[0]): void {
    const c = this.#connection;
    if (!c?.authenticated || c.socket.readyState !== 1) return; // sent on (re)connect instead
    c.socket.send(clientMessage(message));
  }

  #cancelRetry(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  /** Forgets the current socket (its late events are ignored) and closes it. */
  #drop(code: number, reason: string): void {
    const c = this.#connection;
    if (!c) return;
    this.#connection = undefined;
    for (const t of c.timers) clearTimeout(t);
    c.socket.onopen = null;
    c.socket.onmessage = null;
    c.socket.onclose = null;
    c.socket.onerror = null;
    try {
      c.socket.close(code, reason.slice(0, 100));
    } catch {
      // already closing
    }
  }

  #connect(): void {
    this.#cancelRetry();
    this.#drop(1000, 'reconnecting');
    if (!this.#running || !this.#online) return;
    this.#setStatus(
      this.#wasLive || this.#attempt > 0 ? 'reconnecting' : 'connecting',
      undefined,
      this.#status.reason,
    );
    const Impl = this.#options.WebSocket ?? WebSocket;
    let socket: WebSocket;
    try {
      socket = new Impl(this.#options.url);
    } catch (err) {
      this.#retry(`cannot open ${this.#options.url}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.stats.connects++;
    const c: Connection = {
      socket,
      token: undefined,
      authenticated: false,
      skewMs: 0,
      lastFrameAt: Date.now(),
      timers: new Set(),
    };
    this.#connection = c;
    socket.onopen = () => void this.#authenticate(c);
    socket.onmessage = (event: { data: unknown }) => this.#receive(c, event.data);
    // Browsers follow an error with a close event; Node's WebSocket (undici) may not when the
    // connection is refused, so an error ends the connection here, and its close is ignored.
    socket.onerror = () => this.#lost(c, 1006, '');
    socket.onclose = (event: { code: number; reason: string }) => this.#lost(c, event.code, event.reason);
  }

  #lost(c: Connection, code: number, reason: string): void {
    if (this.#connection !== c) return;
    this.#drop(1000, 'lost');
    if (code === HUB_CLOSE.unauthorized) this.#rejected = c.token?.token;
    this.#retry(closeReason(code, reason));
  }

  async #authenticate(c: Connection): Promise<void> {
    let token: LiveToken | undefined;
    try {
      const rejected = this.#rejected;
      token = await this.#options.token(
        rejected === undefined ? { expiringAfter: Date.now() + 10_000 } : { rejected },
      );
    } catch (err) {
      // No token for now (the platform is unreachable): try again later.
      if (this.#connection === c) {
        this.#drop(1000, 'no token');
        this.#retry(`could not get a token: ${err instanceof Error ? err.message : String(err)}`);
      }
      return;
    }
    if (this.#connection !== c) return;
    if (token === undefined) {
      this.stop('signed out');
      this.#options.onSignedOut?.();
      return;
    }
    this.#rejected = undefined;
    c.token = token;
    c.socket.send(clientMessage({ op: 'auth', token: token.token }));
  }

  #receive(c: Connection, data: unknown): void {
    if (this.#connection !== c) return;
    c.lastFrameAt = Date.now();
    const parsed = parseFrame(data);
    if (!parsed.ok) {
      this.stats.framesRefused++;
      return;
    }
    this.stats.framesReceived++;
    this.stats.itemsDropped += parsed.dropped;
    const frame = parsed.frame;
    if (frame.type === 'hello') {
      c.authenticated = true;
      c.skewMs = frame.serverTime - Date.now();
      this.#scheduleRenewal(c, frame.expiresAt);
      if (this.#topics.size > 0) c.socket.send(clientMessage(this.#subscribeMessage([...this.#topics])));
      else this.#becameLive();
      const v = this.#viewport;
      if (v) c.socket.send(clientMessage({ op: 'viewport', bbox: v.bbox, zoom: v.zoom }));
    } else if (frame.type === 'subscribed') {
      this.#becameLive();
    }
    this.#options.onFrame(frame);
  }

  #becameLive(): void {
    this.#attempt = 0;
    this.#wasLive = true;
    this.#setStatus('live', undefined, undefined);
  }

  /** Sends a fresh token on the open socket before the hub's copy expires (it closes with 4001 then). */
  #scheduleRenewal(c: Connection, expiresAt: number): void {
    const serverNow = Date.now() + c.skewMs;
    const remaining = expiresAt - serverNow;
    const lead = Math.min(60_000, Math.max(200, remaining * 0.25));
    const timer = setTimeout(
      async () => {
        c.timers.delete(timer);
        try {
          // Both times are the API's clock: a token that outlives the one the hub holds.
          const fresh = await this.#options.token({ expiringAfter: expiresAt + 1 });
          if (this.#connection !== c) return;
          if (fresh === undefined) {
            this.stop('signed out');
            this.#options.onSignedOut?.();
            return;
          }
          c.token = fresh;
          c.socket.send(clientMessage({ op: 'auth', token: fresh.token }));
          this.stats.renewals++;
          this.#scheduleRenewal(c, fresh.expiresAt);
        } catch {
          // Could not refresh now: the hub will close with 4001 and we come back with a new one.
        }
      },
      Math.max(0, remaining - lead),
    );
    c.timers.add(timer);
  }

  #checkPulse(heartbeatMs: number): void {
    const c = this.#connection;
    if (!c?.authenticated) return;
    const silent = Date.now() - c.lastFrameAt;
    if (silent > heartbeatMs * 2.5) {
      // A half-open socket (laptop asleep, network switched) can stay "open" for minutes.
      this.#drop(4000, 'no answer');
      this.#retry('the hub stopped answering');
    } else if (silent >= heartbeatMs) {
      c.socket.send(clientMessage({ op: 'ping' }));
    }
  }

  #retry(reason: string): void {
    if (!this.#running) return;
    if (!this.#online) {
      this.#setStatus('offline', undefined, 'the browser is offline');
      return;
    }
    const delay = backoffDelay(this.#attempt++, this.#options.backoff ?? HUB_BACKOFF, this.#options.random);
    this.#setStatus('reconnecting', Date.now() + delay, reason);
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }
}

function closeReason(code: number, reason: string): string {
  if (code === HUB_CLOSE.unauthorized) return `the hub refused the token${reason ? ` (${reason})` : ''}`;
  if (code === HUB_CLOSE.slowConsumer) return 'the connection was too slow for the hub';
  if (code === HUB_CLOSE.flood) return 'too many messages';
  if (code === HUB_CLOSE.goingAway) return 'the platform is restarting';
  return reason ? `closed (${code}: ${reason})` : `connection lost (${code})`;
}
