// The alerts that need attention, for every console page: the header's badge and the live map's
// panel read this one store. It subscribes to the hub's `alerts` topic for as long as the console
// is open, loads the summary and the newest alerts after each (re)subscription (the hub sends no
// snapshot for alerts), and follows the frames (AlertBoard, board.ts). A new critical alert makes
// the badge flash and, when the user switched it on, beeps (sound.ts says why it is off by
// default).
import type { AlertDetail } from '@fleet/api/contract';
import type { AlertRecord } from '@fleet/shared/rules';
import { NewestLoad } from '../admin/newest.ts';
import { describeError } from '../api/errors.ts';
import type { LiveConnection } from '../live/connection.svelte.ts';
import type { Session } from '../session/session.svelte.ts';
import { AlertBoard, type AlertFrame, type AlertSummary, BOARD_SIZE, emptySummary } from './board.ts';
import { beep, rememberSound, soundWanted } from './sound.ts';

/** How long the badge flashes after a new critical alert. */
const FLASH_MS = 10_000;
/** Frames the counts could not follow are gathered this long before the summary is read again. */
const RESYNC_AFTER_MS = 500;

/** An alert as the changes' answers give it, without its timeline. */
export function recordOf(detail: AlertDetail): AlertRecord {
  const { activity: _activity, ...alert } = detail;
  return alert;
}

export class AlertsLive {
  summary = $state<AlertSummary>(emptySummary());
  open = $state<AlertRecord[]>([]);
  loaded = $state(false);
  error = $state<string | undefined>();
  /** A new critical alert came in the last FLASH_MS. */
  flashing = $state(false);
  sound = $state(false);
  /** Bumped with every change (for pages that follow one alert). */
  version = $state(0);

  readonly #board = new AlertBoard(BOARD_SIZE);
  readonly #newest = new NewestLoad();
  #session: Session | undefined;
  #detach: (() => void) | undefined;
  #resync: ReturnType<typeof setTimeout> | undefined;
  #flash: ReturnType<typeof setTimeout> | undefined;
  #audio: AudioContext | undefined;
  /** Frames that came while a load was on its way: applied on top of its answer. */
  #pending: AlertFrame[] | undefined;

  start(session: Session, live: LiveConnection): void {
    if (this.#detach) return;
    this.#session = session;
    this.sound = soundWanted(globalThis.localStorage);
    const stopListening = live.listen((frame) => {
      if (frame.type === 'subscribed' && frame.topics.includes('alerts')) void this.reload();
      else if (frame.type === 'alert') this.#apply({ change: frame.change, alert: frame.alert });
    });
    live.subscribe(['alerts']);
    this.#detach = () => {
      stopListening();
      live.unsubscribe(['alerts']);
    };
    void this.reload();
  }

  stop(): void {
    this.#detach?.();
    this.#detach = undefined;
    clearTimeout(this.#resync);
    clearTimeout(this.#flash);
    this.flashing = false;
    this.#board.load(emptySummary(), []);
    this.#publish();
    this.loaded = false;
  }

  /** The summary and the newest alerts again. */
  async reload(): Promise<void> {
    const api = this.#session?.api;
    if (!api) return;
    this.#pending ??= [];
    await this.#newest.run(
      () =>
        Promise.all([
          api.call('GET /api/v1/alerts/summary'),
          api.call('GET /api/v1/alerts', { query: { state: 'open,acknowledged', limit: BOARD_SIZE } }),
        ]),
      ([summary, page]) => {
        this.#board.load(summary, page.items);
        const pending = this.#pending ?? [];
        this.#pending = undefined;
        for (const f of pending) this.#board.apply(f);
        this.error = undefined;
        this.loaded = true;
        this.#publish();
      },
      (err) => {
        this.#pending = undefined;
        this.error = describeError(err);
      },
    );
  }

  /** One alert as an answer of the API has it now (after acknowledging, resolving ...). */
  changed(alert: AlertRecord): void {
    this.#apply({ change: alert.state === 'resolved' ? 'resolved' : 'updated', alert });
  }

  get(id: string): AlertRecord | undefined {
    void this.version;
    return this.#board.get(id);
  }

  async acknowledge(id: string): Promise<AlertDetail> {
    const detail = await this.#api().call('POST /api/v1/alerts/{id}/acknowledge', { params: { id } });
    this.changed(recordOf(detail));
    return detail;
  }

  async resolve(id: string, note: string | null = null): Promise<AlertDetail> {
    const detail = await this.#api().call('POST /api/v1/alerts/{id}/resolve', {
      params: { id },
      body: { note },
    });
    this.changed(recordOf(detail));
    return detail;
  }

  /** Switches the beep on or off; the click that does it lets the page play sound. */
  setSound(on: boolean): void {
    this.sound = on;
    rememberSound(globalThis.localStorage, on);
    if (on) void this.#beep();
  }

  #api() {
    const api = this.#session?.api;
    if (!api) throw new Error('the alerts store has not started');
    return api;
  }

  #apply(frame: AlertFrame): void {
    if (this.#pending) {
      this.#pending.push(frame);
      return;
    }
    const applied = this.#board.apply(frame);
    if (applied.resync) this.#scheduleResync();
    if (applied.newCritical) this.#alarm();
    if (applied.changed) this.#publish();
  }

  #publish(): void {
    this.summary = this.#board.summary;
    this.open = this.#board.open;
    this.version++;
  }

  #scheduleResync(): void {
    if (this.#resync !== undefined) return;
    this.#resync = setTimeout(async () => {
      this.#resync = undefined;
      const api = this.#session?.api;
      if (!api) return;
      try {
        this.#board.loadSummary(await api.call('GET /api/v1/alerts/summary'));
        this.#publish();
      } catch {
        // The next subscription (or frame) tries again; the counts stay as they were.
      }
    }, RESYNC_AFTER_MS);
  }

  #alarm(): void {
    this.flashing = true;
    clearTimeout(this.#flash);
    this.#flash = setTimeout(() => (this.flashing = false), FLASH_MS);
    if (this.sound) void this.#beep();
  }

  async #beep(): Promise<void> {
    if (typeof AudioContext === 'undefined') return;
    this.#audio ??= new AudioContext();
    await beep(this.#audio);
  }
}

export const alerts = new AlertsLive();
