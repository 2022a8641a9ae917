// The alerts page's filters, kept in the address bar (defaults left out) so a link opens the same
// view, and turned into GET /api/v1/alerts' query: state and severity as comma lists, kind,
// asset, and a range of when the condition began (typed by the organisation's clock, as the
// audit log's, and sent as instants; `from` inclusive, `to` exclusive).
import type { AlertSeverity, AlertState, RuleKind } from '@fleet/shared/rules';
import { fromZonedInput } from '../device/range.ts';
import { ALERT_STATES, RULE_KINDS, SEVERITIES } from './labels.ts';

export const ALERTS_PAGE_SIZE = 50;

/** What the page shows when nothing is chosen: the alerts that need attention. */
export const DEFAULT_STATES: readonly AlertState[] = ['open', 'acknowledged'];

export interface AlertFilter {
  /** Empty: any state. */
  states: AlertState[];
  /** Empty: any severity. */
  severities: AlertSeverity[];
  kind: RuleKind | '';
  assetId: string;
  /** Wall clock in the organisation's zone, "" for no bound. */
  from: string;
  to: string;
}

export function blankAlertFilter(): AlertFilter {
  return { states: [...DEFAULT_STATES], severities: [], kind: '', assetId: '', from: '', to: '' };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The choices of `list` named in a comma list, in the choices' order; undefined when it names none. */
function pick<T extends string>(text: string | null, choices: readonly T[]): T[] | undefined {
  if (text === null) return undefined;
  const named = new Set(text.split(',').map((s) => s.trim()));
  const picked = choices.filter((c) => named.has(c));
  return picked.length > 0 ? picked : undefined;
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

const wallClock = (text: string | null) =>
  text !== null && fromZonedInput(text, 'UTC') !== undefined ? text : '';

/** A filter from the address bar; what the API would refuse is dropped, not sent. */
export function filterFromQuery(params: { get(name: string): string | null }): AlertFilter {
  const state = params.get('state');
  const kind = params.get('kind');
  const assetId = params.get('assetId') ?? '';
  return {
    states: state === 'any' ? [] : (pick(state, ALERT_STATES) ?? [...DEFAULT_STATES]),
    severities: pick(params.get('severity'), SEVERITIES) ?? [],
    kind: RULE_KINDS.find((k) => k === kind) ?? '',
    assetId: UUID.test(assetId) ? assetId.toLowerCase() : '',
    from: wallClock(params.get('from')),
    to: wallClock(params.get('to')),
  };
}

/** The address bar's query for a filter, defaults left out. */
export function filterToQuery(filter: AlertFilter): URLSearchParams {
  const p = new URLSearchParams();
  const states = ALERT_STATES.filter((s) => filter.states.includes(s));
  if (states.length === 0) p.set('state', 'any');
  else if (!sameList(states, DEFAULT_STATES)) p.set('state', states.join(','));
  const severities = SEVERITIES.filter((s) => filter.severities.includes(s));
  if (severities.length > 0) p.set('severity', severities.join(','));
  if (filter.kind !== '') p.set('kind', filter.kind);
  if (filter.assetId !== '') p.set('assetId', filter.assetId);
  if (filter.from !== '') p.set('from', filter.from);
  if (filter.to !== '') p.set('to', filter.to);
  return p;
}

export function isFiltered(filter: AlertFilter): boolean {
  return filterToQuery(filter).size > 0;
}

export type AlertQuery =
  | { ok: true; query: Record<string, string> }
  | { ok: false; problems: Partial<Record<'from' | 'to', string>> };

const isoAt = (text: string, timeZone: string) => {
  const ms = text === '' ? undefined : fromZonedInput(text, timeZone);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

/** GET /api/v1/alerts' filters (without cursor and limit). */
export function alertQuery(filter: AlertFilter, timeZone: string): AlertQuery {
  const from = isoAt(filter.from, timeZone);
  const to = isoAt(filter.to, timeZone);
  if (from !== undefined && to !== undefined && Date.parse(to) <= Date.parse(from))
    return { ok: false, problems: { to: 'the end comes after the start' } };
  const query: Record<string, string> = {};
  const states = ALERT_STATES.filter((s) => filter.states.includes(s));
  if (states.length > 0 && states.length < ALERT_STATES.length) query.state = states.join(',');
  const severities = SEVERITIES.filter((s) => filter.severities.includes(s));
  if (severities.length > 0 && severities.length < SEVERITIES.length) query.severity = severities.join(',');
  if (filter.kind !== '') query.kind = filter.kind;
  if (filter.assetId !== '') query.assetId = filter.assetId;
  if (from !== undefined) query.from = from;
  if (to !== undefined) query.to = to;
  return { ok: true, query };
}

/** Whether an alert (a live frame's) belongs in the list the filter shows, as far as the console can tell. */
export function matchesFilter(
  a: {
    state: AlertState;
    severity: AlertSeverity;
    kind: RuleKind;
    assetId: string | null;
    startedAt: string;
  },
  filter: AlertFilter,
  timeZone: string,
): boolean {
  if (filter.states.length > 0 && !filter.states.includes(a.state)) return false;
  if (filter.severities.length > 0 && !filter.severities.includes(a.severity)) return false;
  if (filter.kind !== '' && a.kind !== filter.kind) return false;
  if (filter.assetId !== '' && a.assetId !== filter.assetId) return false;
  const started = Date.parse(a.startedAt);
  const from = filter.from === '' ? undefined : fromZonedInput(filter.from, timeZone);
  const to = filter.to === '' ? undefined : fromZonedInput(filter.to, timeZone);
  if (from !== undefined && started < from) return false;
  if (to !== undefined && started >= to) return false;
  return true;
}
