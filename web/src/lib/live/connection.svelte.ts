// The live connection as the console shows it: one hub connection per tab (LiveClient), its
// state as runes for the header, and frames handed to whichever pages listen.
import type { Session } from '../session/session.svelte.ts';
import type { HubFrame } from './frames.ts';
import { LiveClient, type LiveState } from './hub-client.ts';
import type { HubViewport } from './viewport.ts';

/** Positions older than this when they arrive are shown as "behind" (the page or network is slow). */
export const BEHIND_AFTER_MS = 5_000;

/** What every signed-in page gets: positions and connection changes of the whole fleet. */
export const CONSOLE_TOPICS = ['positions', 'status'] as const;

export class LiveConnection {
  state = $state<LiveState>('offline');
  /** When the next attempt starts, while reconnecting (ms). */
  retryAt = $state<number | null>(null);
  reason = $state<string | null>(null);
  /**
   * Whole seconds the newest positions frame was old on arrival, when that is more than
   * BEHIND_AFTER_MS; 0 otherwise. "Live" is only honest while positions arrive promptly.
   */
  behindS = $state(0);

  #client: LiveClient | undefined;
  readonly #listeners = new Set<(frame: HubFrame) => void>();
  readonly #topics = new Set<string>(CONSOLE_TOPICS);
  #detach: (() => void) | undefined;
  #viewport: HubViewport | undefined;

  start(session: Session): void {
    if (this.#client) return;
    const { protocol, host } = window.location;
    const client = new LiveClient(
      {
        url: `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws`,
        // Half the bytes of a large positions frame; frames.ts turns it back into positions.
        format: 'columns',
        token: (request) => session.token(request),
        onFrame: (frame) => {
          if (frame.type === 'positions') {
            const age = client.ageOf(frame.at);
            const behind = age > BEHIND_AFTER_MS ? Math.round(age / 1000) : 0;
            if (behind !== this.behindS) this.behindS = behind;
          }
          for (const listener of this.#listeners) listener(frame);
        },
        onStatus: (status) => {
          this.state = status.state;
          if (status.state !== 'live') this.behindS = 0;
          this.retryAt = status.retryAt ?? null;
          this.reason = status.reason ?? null;
        },
      },
      [...this.#topics],
    );
    const online = () => client.setOnline(true);
    const offline = () => client.setOnline(false);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    this.#detach = () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
    this.#client = client;
    client.setViewport(this.#viewport);
    client.setOnline(navigator.onLine);
    client.start();
  }

  stop(): void {
    this.#detach?.();
    this.#detach = undefined;
    this.#client?.stop();
    this.#client = undefined;
  }

  /** Calls `listener` with every frame until the returned function is called. */
  listen(listener: (frame: HubFrame) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Adds topics (device:{id}, events) for as long as a page needs them, across reconnects. */
  subscribe(topics: readonly string[]): void {
    for (const t of topics) this.#topics.add(t);
    this.#client?.subscribe(topics);
  }

  /**
   * The live map's view: positions only inside it, cluster frames for the rest, for as long as
   * the page sets it (undefined: the whole fleet again), across reconnects.
   */
  setViewport(viewport: HubViewport | undefined): void {
    this.#viewport = viewport;
    this.#client?.setViewport(viewport);
  }

  unsubscribe(topics: readonly string[]): void {
    for (const t of topics) this.#topics.delete(t);
    this.#client?.unsubscribe(topics);
  }
}

export const live = new LiveConnection();
