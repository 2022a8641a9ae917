// The alerts that need attention, as the header's badge and the live map's panel show them:
// the counts of GET /api/v1/alerts/summary (alerts neither resolved nor suppressed, by severity
// and by state) and the newest of those alerts, kept current by the hub's `alerts` frames.
//
// The hub sends no snapshot for `alerts`: after every (re)subscription the store loads the
// summary and the newest alerts again (load), and frames then move the counts. A frame moves
// them exactly when the board knows what the alert counted as before: an alert it holds, or one
// the frame says was just opened (it counted as nothing). Any other frame (an alert older than
// those loaded, acknowledged or reopened elsewhere) cannot be counted from here, and apply()
// says so: the store then loads the summary again. Frames are not trusted to arrive once or in
// order: a frame older than what the board holds (updatedAt) changes nothing.
import type { AlertSummary } from '@fleet/api/contract';
import type { AlertChangeKind, AlertRecord, AlertSeverity } from '@fleet/shared/rules';

export type { AlertSummary };

/** How many of the newest alerts the panel lists. */
export const BOARD_SIZE = 20;
/** Alerts held beyond this: the resolved ones are let go. */
const KNOWN_MAX = 500;

type Weight = { severity: AlertSeverity; state: 'open' | 'acknowledged' } | null;

/** What an alert adds to the summary: nothing once resolved or explained by another alert. */
export function weight(a: Pick<AlertRecord, 'severity' | 'state' | 'suppressedBy'>): Weight {
  if (a.state === 'resolved' || a.suppressedBy !== null) return null;
  return { severity: a.severity, state: a.state };
}

export function emptySummary(): AlertSummary {
  return {
    total: 0,
    bySeverity: { info: 0, warning: 0, critical: 0 },
    byState: { open: 0, acknowledged: 0 },
  };
}

function add(summary: AlertSummary, w: Weight, sign: 1 | -1): AlertSummary {
  if (w === null) return summary;
  const s = structuredClone(summary);
  s.total = Math.max(0, s.total + sign);
  s.bySeverity[w.severity] = Math.max(0, s.bySeverity[w.severity] + sign);
  s.byState[w.state] = Math.max(0, s.byState[w.state] + sign);
  return s;
}

export interface AlertFrame {
  change: AlertChangeKind;
  alert: AlertRecord;
}

export interface Applied {
  /** The frame changed the list or the counts. */
  changed: boolean;
  /** The counts could not follow this frame: load the summary again. */
  resync: boolean;
  /** A critical alert that needs attention and was not known before (sound, flash). */
  newCritical: boolean;
}

/** Newest first: by when the condition began, then by id, as GET /api/v1/alerts pages. */
export function newestFirst(a: AlertRecord, b: AlertRecord): number {
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export class AlertBoard {
  #summary: AlertSummary = emptySummary();
  /** Every alert the board has seen since the last load, by id: what each counts as now. */
  readonly #known = new Map<string, AlertRecord>();
  readonly #size: number;

  constructor(size = BOARD_SIZE) {
    this.#size = size;
  }

  get summary(): AlertSummary {
    return this.#summary;
  }

  /** The newest alerts that need attention (open or acknowledged), newest first. */
  get open(): AlertRecord[] {
    return [...this.#known.values()]
      .filter((a) => weight(a) !== null)
      .sort(newestFirst)
      .slice(0, this.#size);
  }

  get(id: string): AlertRecord | undefined {
    return this.#known.get(id);
  }

  /** The summary and the newest alerts needing attention, as just read from the API. */
  load(summary: AlertSummary, newest: readonly AlertRecord[]): void {
    this.#summary = structuredClone(summary);
    this.#known.clear();
    for (const a of newest) this.#known.set(a.id, a);
  }

  /** Only the counts again (after a frame they could not follow). */
  loadSummary(summary: AlertSummary): void {
    this.#summary = structuredClone(summary);
  }

  apply(frame: AlertFrame): Applied {
    const next = frame.alert;
    const before = this.#known.get(next.id);
    if (before !== undefined && before.updatedAt > next.updatedAt)
      return { changed: false, resync: false, newCritical: false };
    const now = weight(next);
    let resync = false;
    if (before !== undefined) {
      this.#summary = add(add(this.#summary, weight(before), -1), now, 1);
    } else if (frame.change === 'opened') {
      this.#summary = add(this.#summary, now, 1);
    } else {
      // An alert the board did not hold: what it counted as before is not known here.
      resync = true;
    }
    this.#known.set(next.id, next);
    if (this.#known.size > KNOWN_MAX) this.#forgetResolved();
    const newCritical =
      next.severity === 'critical' &&
      next.state === 'open' &&
      next.suppressedBy === null &&
      (before === undefined ? frame.change === 'opened' : weight(before) === null);
    return { changed: true, resync, newCritical };
  }

  /** Resolved alerts count as nothing; a frame about one again is then counted by a resync. */
  #forgetResolved(): void {
    for (const [id, a] of this.#known) if (weight(a) === null) this.#known.delete(id);
  }
}
