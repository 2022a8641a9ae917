// One asset's trips and stops as a report page (GET /api/v1/assets/{id}/trips and /stops):
// `?assetId=…&from=…&to=…&show=trips|stops`, the days of the organisation's calendar asked for as
// the instants of its zone; each trip with where it went, its figures, driver and job, or each
// stop with its place; the server's totals; a chart of the distance per day or of the time
// stopped at each place; the API's CSV and XLSX of the same range.
import type { StopList, TripList } from '@fleet/api/contract';
import { localDay, localDayStart, nextDay } from '@fleet/shared/time-zone';
import type { ApiClient } from '../api/client.ts';
import { ApiRequestError } from '../api/errors.ts';
import {
  assetStops,
  assetTrips,
  downloadSegments,
  type InstantRange,
  type ReportQuery,
  SEGMENT_MAX_DAYS,
  type SegmentKind,
} from '../api/reports.ts';
import { type DayRange, daysIn } from '../costs/range.ts';
import { formatDateTime } from '../time.ts';
import { CHART_MAX_BARS, type ReportBars, topRows } from './chart.ts';
import {
  formatCount,
  formatDuration,
  formatInstant,
  formatKm,
  formatShortDay,
  formatSpeed,
} from './format.ts';
import { type ReportContext, type ReportSpec, sortKeysOf } from './spec.ts';
import { figureColumn, type ReportColumn, textColumn } from './table.ts';
import type { ReportView } from './view.ts';

export type Trip = TripList['items'][number];
export type Stop = StopList['items'][number];
export type Segment = Trip | Stop;
/** The API's answer, with which of the two it is and the zone its days were asked in. */
export type SegmentAnswer = { timeZone: string } & (
  | { show: 'trips'; list: TripList }
  | { show: 'stops'; list: StopList }
);

const SHOWS: readonly SegmentKind[] = ['trips', 'stops'];
const DAY_MS = 86_400_000;

const isTrip = (s: Segment): s is Trip => 'start' in s;
const isStop = (s: Segment): s is Stop => !isTrip(s);

/**
 * The instants of a range of the organisation's days: from the first day's midnight to the
 * midnight after the last, in its zone. The API answers at most SEGMENT_MAX_DAYS × 24 hours, and
 * 31 days over the night the clocks go back are an hour more: then the range ends an hour early
 * (`cut`), rather than the page refusing a whole month.
 */
export function segmentWindow(range: DayRange, timeZone: string): { from: number; to: number; cut: boolean } {
  const from = localDayStart(range.from, timeZone);
  const end = localDayStart(nextDay(range.to), timeZone);
  const widest = from + SEGMENT_MAX_DAYS * DAY_MS;
  return { from, to: Math.min(end, widest), cut: end > widest };
}

/** The window as the API's query reads it. */
export function segmentInstants(range: DayRange, timeZone: string): InstantRange {
  const w = segmentWindow(range, timeZone);
  return { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() };
}

/**
 * The trips page of an asset, over `range` when it is given: a range wider than the page's is
 * its last SEGMENT_MAX_DAYS days (a summary over three months leads to the last month of them).
 */
export function segmentsHref(assetId: string, range?: DayRange): string {
  const params = new URLSearchParams({ assetId });
  if (range !== undefined) {
    const from =
      daysIn(range) > SEGMENT_MAX_DAYS
        ? new Date(Date.parse(`${range.to}T00:00:00Z`) - (SEGMENT_MAX_DAYS - 1) * DAY_MS)
            .toISOString()
            .slice(0, 10)
        : range.from;
    params.set('from', from);
    params.set('to', range.to);
  }
  return `/reports/trips?${params}`;
}

/** A place's name, or where it is: "60.1000, 24.9000". */
export function whereText(p: { lat: number; lon: number; place: { name: string } | null }): string {
  return p.place?.name ?? `${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}`;
}

/** Columns over one of the two kinds, lifted to both: the other kind's rows read empty (they never meet). */
function lift<S extends Segment>(
  is: (s: Segment) => s is S,
  columns: readonly ReportColumn<S>[],
): ReportColumn<Segment>[] {
  return columns.map(({ text, sortValue, href, ...rest }) => ({
    ...rest,
    text: (r: Segment) => (is(r) ? text(r) : ''),
    sortValue: (r: Segment) => (is(r) ? sortValue(r) : null),
    ...(href === undefined ? {} : { href: (r: Segment) => (is(r) ? href(r) : undefined) }),
  }));
}

function started<S extends Segment>(timeZone: string): ReportColumn<S> {
  return {
    ...textColumn<S>('startedAt', 'Start', (s) => {
      const at = formatInstant(s.startedAt, timeZone);
      return s.inProgress ? `${at} (going on)` : at;
    }),
    sortValue: (s) => Date.parse(s.startedAt),
  };
}

/** A column of a figure in its words: `figure` of a trip's or stop's `value`. */
const figure =
  (words: (n: number | null) => string) =>
  <S extends Segment>(key: string, label: string, value: (s: S) => number | null) =>
    figureColumn<S>(key, label, (s) => words(value(s)), value);
const duration = figure(formatDuration);
const speed = figure((kmh) => (kmh === null ? '—' : formatSpeed(kmh)));
const distance = figure((km) => (km === null ? '—' : formatKm(km)));

function tripColumns(timeZone: string): ReportColumn<Trip>[] {
  return [
    started<Trip>(timeZone),
    textColumn<Trip>('from', 'From', (t) => whereText(t.start)),
    textColumn<Trip>('to', 'To', (t) => whereText(t.end)),
    distance<Trip>('distanceKm', 'Distance', (t) => t.distanceKm),
    duration<Trip>('durationS', 'Duration', (t) => t.durationS),
    duration<Trip>('drivingS', 'Driving', (t) => t.drivingS),
    duration<Trip>('idleS', 'Idling', (t) => t.idleS),
    duration<Trip>('afterHoursS', 'After hours', (t) => t.afterHoursS),
    speed<Trip>('maxSpeedKmh', 'Max speed', (t) => t.maxSpeedKmh),
    speed<Trip>('avgSpeedKmh', 'Average speed', (t) => t.avgSpeedKmh),
    textColumn<Trip>('driver', 'Driver', (t) => t.driver?.name),
    textColumn<Trip>(
      'job',
      'Job',
      (t) => t.job?.reference,
      (t) => (t.job ? `/jobs/${t.job.id}` : undefined),
    ),
  ];
}

function stopColumns(timeZone: string): ReportColumn<Stop>[] {
  return [
    started<Stop>(timeZone),
    textColumn<Stop>('place', 'Place', whereText),
    duration<Stop>('durationS', 'Duration', (s) => s.durationS),
    duration<Stop>('engineOnS', 'Engine on', (s) => s.engineOnS),
  ];
}

function columns(by: string | undefined, ctx: ReportContext): ReportColumn<Segment>[] {
  return by === 'stops' ? lift(isStop, stopColumns(ctx.timeZone)) : lift(isTrip, tripColumns(ctx.timeZone));
}

/** The organisation's days an answer's range holds, in order. */
function daysOf(list: { from: number; to: number }, timeZone: string): string[] {
  const days: string[] = [];
  const last = localDay(list.to - 1, timeZone);
  for (let d = localDay(list.from, timeZone); d <= last; d = nextDay(d)) days.push(d);
  return days;
}

/** `value` summed per group of `items`, in the order the groups first appear. */
function sums<S>(
  items: readonly S[],
  group: (s: S) => { key: string; label: string },
  value: (s: S) => number,
): Map<string, { label: string; value: number }> {
  const out = new Map<string, { label: string; value: number }>();
  for (const item of items) {
    const g = group(item);
    const sum = out.get(g.key) ?? { label: g.label, value: 0 };
    sum.value += value(item);
    out.set(g.key, sum);
  }
  return out;
}

/** A chart of one figure: its bars, in all the server's total. */
function oneFigure(
  chart: Pick<ReportBars, 'title' | 'xLabel' | 'unit' | 'left'> & { part: ReportBars['parts'][number] },
  total: number,
  bars: readonly { label: string; value: number }[],
): ReportBars {
  const { part, ...rest } = chart;
  return {
    ...rest,
    parts: [part],
    overall: { label: 'In all', values: [total] },
    bars: bars.map((b) => ({ label: b.label, values: [b.value] })),
  };
}

function tripChart(list: TripList, timeZone: string): ReportBars {
  const dayOf = (t: Trip) => localDay(Date.parse(t.startedAt), timeZone);
  const perDay = sums(
    list.items,
    (t) => ({ key: dayOf(t), label: dayOf(t) }),
    (t) => t.distanceKm,
  );
  // Every day of the range, the ones it stood still too; nothing to draw when it never moved.
  const days = list.items.length === 0 ? [] : daysOf(list, timeZone);
  return oneFigure(
    {
      title: 'Distance per day',
      xLabel: 'Day',
      unit: 'km',
      left: 0,
      part: { key: 'distance', label: 'Distance', color: '#1d4ed8' },
    },
    list.totals.distanceKm,
    days.map((d) => ({ label: formatShortDay(d), value: perDay.get(d)?.value ?? 0 })),
  );
}

/** Stops outside every place of the organisation, as one bar. */
export const ELSEWHERE = 'Elsewhere';

function stopChart(list: StopList): ReportBars {
  const place = (s: Stop) => ({ key: s.place?.id ?? '', label: s.place?.name ?? ELSEWHERE });
  const top = topRows(
    [...sums(list.items, place, (s) => s.durationS).values()],
    (b) => b.value,
    CHART_MAX_BARS,
  );
  return oneFigure(
    {
      title: 'Time stopped per place',
      xLabel: 'Place',
      unit: 'hours',
      left: top.left,
      part: { key: 'stopped', label: 'Stopped', color: '#7c3aed' },
    },
    list.totals.durationS,
    top.rows,
  );
}

/** The message of an asset the API does not know in this organisation (or the user's department). */
export const NO_SUCH_ASSET =
  'No such vehicle or equipment item: it does not exist, or it is not in your organisation or department. Choose one from the list.';

/** The query of a view: the asset, which of the two, the window, and the zone the chart's days are in. */
function query(view: ReportView, ctx: ReportContext): ReportQuery {
  return {
    assetId: view.assetId,
    show: view.by,
    ...segmentInstants(view, ctx.timeZone),
    timeZone: ctx.timeZone,
  };
}

async function load(api: ApiClient, query: ReportQuery, signal?: AbortSignal): Promise<SegmentAnswer> {
  const { assetId = '', from = '', to = '', timeZone = 'UTC' } = query;
  try {
    if (query.show === 'stops')
      return { show: 'stops', timeZone, list: await assetStops(api, assetId, { from, to }, signal) };
    return { show: 'trips', timeZone, list: await assetTrips(api, assetId, { from, to }, signal) };
  } catch (err) {
    if (err instanceof ApiRequestError && err.status === 404) throw new Error(NO_SUCH_ASSET, { cause: err });
    throw err;
  }
}

export const TRIPS_REPORT: ReportSpec<SegmentAnswer, Segment, 'trips'> = {
  report: 'trips',
  title: 'Trips',
  scope: 'asset',
  assetPrompt: 'Choose a vehicle or an equipment item to see its trips and stops.',
  noun: (by) => (by === 'stops' ? 'stops' : 'trips'),
  caption: (by) => (by === 'stops' ? 'Stops' : 'Trips'),
  groups: SHOWS,
  groupParam: 'show',
  groupLabel: 'Show',
  groupLabels: { trips: 'Trips', stops: 'Stops' },
  maxDays: SEGMENT_MAX_DAYS,
  sortKeys: sortKeysOf(SHOWS, columns),
  presets: ['this_month', 'last_month'],
  query,
  warning: (view, ctx) => {
    const w = segmentWindow(view, ctx.timeZone);
    return w.cut
      ? `The clocks go back in this range, which makes ${SEGMENT_MAX_DAYS} days an hour longer than the ${SEGMENT_MAX_DAYS} × 24 hours the platform answers: the range ends at ${formatDateTime(w.to, ctx.timeZone)}.`
      : undefined;
  },
  load,
  download: (api, query, format) =>
    downloadSegments(
      api,
      query.show === 'stops' ? 'stops' : 'trips',
      query.assetId ?? '',
      { from: query.from ?? '', to: query.to ?? '' },
      format,
    ),
  rows: (a) => a.list.items,
  rowKey: (r) => `${r.deviceId}:${r.startedAt}`,
  columns,
  footer: (a): Record<string, string> =>
    a.show === 'trips'
      ? {
          startedAt: 'Total',
          distanceKm: formatKm(a.list.totals.distanceKm),
          durationS: formatDuration(a.list.totals.durationS),
          idleS: formatDuration(a.list.totals.idleS),
        }
      : {
          startedAt: 'Total',
          durationS: formatDuration(a.list.totals.durationS),
          engineOnS: formatDuration(a.list.totals.engineOnS),
        },
  figures: (a) =>
    a.show === 'trips'
      ? [
          { key: 'trips', label: 'Trips', value: formatCount(a.list.totals.trips) },
          { key: 'distanceKm', label: 'Distance', value: formatKm(a.list.totals.distanceKm) },
          { key: 'durationS', label: 'Duration', value: formatDuration(a.list.totals.durationS) },
          { key: 'idleS', label: 'Idling', value: formatDuration(a.list.totals.idleS) },
        ]
      : [
          { key: 'stops', label: 'Stops', value: formatCount(a.list.totals.stops) },
          { key: 'durationS', label: 'Time stopped', value: formatDuration(a.list.totals.durationS) },
          { key: 'engineOnS', label: 'Engine on', value: formatDuration(a.list.totals.engineOnS) },
        ],
  chart: (a) => (a.show === 'trips' ? tripChart(a.list, a.timeZone) : stopChart(a.list)),
  note: 'From the trips and stops the platform keeps as telemetry arrives (moving once 200 m from the last stop, stopped after 180 s within 200 m or with the ignition off); each is listed in the range it starts in, the one going on too. Places are the smallest of the organisation’s that holds the point.',
};
