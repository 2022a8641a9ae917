// One asset's trips and stops as a report page (lib/reports/trips.ts), in Node against the API's
// own schemas and range check: the organisation's days as the instants of its zone (over both
// nights the clocks change in Helsinki, and a month the API's 31 × 24 hours cannot hold), the
// address bar, each row's words, the server's totals, the chart's bars, and the links into it.
import { describe, expect, it } from 'vitest';
import { consoleEndpoints } from '../../api/src/contract.ts';
import { segmentQuerySchema, stopListSchema, tripListSchema } from '../../api/src/domains/trips/schemas.ts';
import { checkRange, MAX_RANGE_DAYS } from '../../api/src/routes/history.ts';
import { SEGMENT_ENDPOINTS, SEGMENT_MAX_DAYS } from '../src/lib/api/reports.ts';
import { formatDuration } from '../src/lib/reports/format.ts';
import { REPORT_TABS, scheduledReport } from '../src/lib/reports/spec.ts';
import { SUMMARY_REPORT } from '../src/lib/reports/summary.ts';
import {
  ELSEWHERE,
  type SegmentAnswer,
  segmentInstants,
  segmentsHref,
  segmentWindow,
  TRIPS_REPORT,
  whereText,
} from '../src/lib/reports/trips.ts';
import { defaultView, viewFromQuery, viewToQuery } from '../src/lib/reports/view.ts';

const HELSINKI = 'Europe/Helsinki';
const ASSET = '00000000-0000-4000-8000-00000000000a';
const JOB = '00000000-0000-4000-8000-0000000000c1';
const YARD = { id: '00000000-0000-4000-8000-0000000000b1', name: 'North yard' };
const H = 3600;
const iso = (ms: number) => new Date(ms).toISOString();

describe('the range', () => {
  it('is the organisation’s days as instants of its zone, over both nights the clocks change', () => {
    // Helsinki goes from UTC+3 to UTC+2 at 04:00 on Sunday 25 October 2026: that day has 25 hours.
    expect(segmentInstants({ from: '2026-10-24', to: '2026-10-25' }, HELSINKI)).toEqual({
      from: '2026-10-23T21:00:00.000Z',
      to: '2026-10-25T22:00:00.000Z',
    });
    // And from UTC+2 to UTC+3 at 03:00 on Sunday 29 March 2026: 23 hours.
    const spring = segmentWindow({ from: '2026-03-29', to: '2026-03-29' }, HELSINKI);
    expect([iso(spring.from), iso(spring.to)]).toEqual([
      '2026-03-28T22:00:00.000Z',
      '2026-03-29T21:00:00.000Z',
    ]);
    expect((spring.to - spring.from) / H / 1000).toBe(23);
    expect(segmentInstants({ from: '2026-12-01', to: '2026-12-01' }, 'UTC')).toEqual({
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
    });
  });

  it('is at most the API’s 31 × 24 hours: October in Helsinki ends an hour early, and says so', () => {
    expect(SEGMENT_MAX_DAYS).toBe(MAX_RANGE_DAYS);
    const october = { from: '2026-10-01', to: '2026-10-31' };
    const whole = segmentWindow(october, 'UTC');
    expect(whole.cut).toBe(false);
    expect(() => checkRange(whole)).not.toThrow();
    const cut = segmentWindow(october, HELSINKI);
    expect(cut).toMatchObject({ cut: true, from: Date.parse('2026-09-30T21:00:00Z') });
    // Midnight after 31 October is 22:00 UTC; the API's widest ends an hour before it.
    expect(iso(cut.to)).toBe('2026-10-31T21:00:00.000Z');
    expect(() => checkRange(cut)).not.toThrow();
    expect(() => checkRange({ ...cut, to: cut.to + 1 })).toThrow(/at most 31 days/);
    const view = { ...defaultView(TRIPS_REPORT, Date.UTC(2026, 10, 5), HELSINKI), ...october };
    expect(TRIPS_REPORT.warning?.(view, { timeZone: HELSINKI })).toMatch(/ends at 31 Oct 2026, 23:00:00\.$/);
    expect(TRIPS_REPORT.warning?.(view, { timeZone: 'UTC' })).toBeUndefined();
    // March loses an hour instead: 31 days are within the limit.
    expect(segmentWindow({ from: '2026-03-01', to: '2026-03-31' }, HELSINKI).cut).toBe(false);
  });

  it('makes queries the API’s schema reads, for the page and for both files', () => {
    const view = {
      ...defaultView(TRIPS_REPORT, Date.UTC(2026, 11, 9), HELSINKI),
      assetId: ASSET,
      by: 'stops',
    };
    const query = TRIPS_REPORT.query?.(view, { timeZone: HELSINKI });
    expect(query).toEqual({
      assetId: ASSET,
      show: 'stops',
      from: '2026-11-30T22:00:00.000Z',
      to: '2026-12-09T22:00:00.000Z',
      timeZone: HELSINKI,
    });
    for (const format of [undefined, 'csv', 'xlsx']) {
      const parsed = segmentQuerySchema.parse({
        from: query?.from,
        to: query?.to,
        ...(format ? { format } : {}),
      });
      expect(parsed).toEqual({
        from: Date.parse('2026-11-30T22:00:00Z'),
        to: Date.parse('2026-12-09T22:00:00Z'),
        format: format ?? 'json',
      });
    }
    const listed = new Set(Object.keys(consoleEndpoints));
    for (const endpoint of Object.values(SEGMENT_ENDPOINTS)) expect(listed).toContain(endpoint);
  });
});

describe('the address bar', () => {
  const NOW = Date.UTC(2026, 11, 9, 12);

  it('names the asset and what is shown, and no fleet filters', () => {
    const read = (q: string) => viewFromQuery(new URLSearchParams(q), TRIPS_REPORT, NOW, HELSINKI);
    expect(read('')).toMatchObject({ assetId: undefined, by: 'trips', from: '2026-12-01', to: '2026-12-09' });
    const view = read(
      `assetId=${ASSET}&from=2026-11-02&to=2026-11-30&show=stops&kind=vehicle&sort=durationS`,
    );
    expect(view).toMatchObject({ assetId: ASSET, by: 'stops', kind: undefined, sort: 'durationS' });
    expect(viewToQuery(view, TRIPS_REPORT, NOW, HELSINKI).toString()).toBe(
      `assetId=${ASSET}&from=2026-11-02&to=2026-11-30&show=stops&sort=durationS`,
    );
    // Not an id, a range over 31 days, `by` instead of `show`: dropped.
    expect(read('assetId=van-7&from=2026-10-01&to=2026-11-30&by=stops')).toMatchObject({
      assetId: undefined,
      from: '2026-12-01',
      by: 'trips',
    });
    // The fleet's reports read no asset.
    expect(
      viewFromQuery(new URLSearchParams(`assetId=${ASSET}`), SUMMARY_REPORT, NOW, 'UTC').assetId,
    ).toBeUndefined();
  });

  it('is where the tab, the asset pages and the summary’s trips lead', () => {
    expect(REPORT_TABS.map((t) => t.label)).toEqual(['Summary', 'Utilisation', 'Visits', 'Alerts', 'Trips']);
    expect(scheduledReport(TRIPS_REPORT.report)).toBeUndefined();
    expect(scheduledReport(SUMMARY_REPORT.report)).toBe('summary');
    expect(segmentsHref(ASSET)).toBe(`/reports/trips?assetId=${ASSET}`);
    expect(segmentsHref(ASSET, { from: '2026-12-01', to: '2026-12-07' })).toBe(
      `/reports/trips?assetId=${ASSET}&from=2026-12-01&to=2026-12-07`,
    );
    // A summary of three months leads to the last 31 days of them.
    expect(segmentsHref(ASSET, { from: '2026-10-01', to: '2026-12-31' })).toBe(
      `/reports/trips?assetId=${ASSET}&from=2026-12-01&to=2026-12-31`,
    );
    const figures = {
      trips: 2,
      distanceKm: 1,
      drivingS: 1,
      idleS: 0,
      engineS: 1,
      afterHoursS: 0,
      fuelLitres: 0,
      utilisation: null,
    };
    const row = {
      ...figures,
      asset: {
        id: ASSET,
        kind: 'vehicle' as const,
        name: 'Van 7',
        plate: null,
        category: null,
        departmentId: null,
        departmentName: null,
      },
    };
    const range = { from: '2026-12-01', to: '2026-12-07' };
    const trips = SUMMARY_REPORT.columns('asset', { timeZone: 'UTC', range }).find((c) => c.key === 'trips');
    expect(trips?.href?.(row)).toBe(segmentsHref(ASSET, range));
    expect(
      SUMMARY_REPORT.columns('day', { timeZone: 'UTC', range }).find((c) => c.key === 'trips')?.href,
    ).toBeUndefined();
  });
});

const point = (lat: number, place: { id: string; name: string } | null) => ({ lat, lon: 24.9, place });

function trip(startedAt: string, km: number, hours: number, extra: object = {}) {
  return {
    deviceId: 'dev-1',
    startedAt,
    endedAt: iso(Date.parse(startedAt) + hours * H * 1000),
    inProgress: false,
    start: point(60.1, YARD),
    end: point(60.2, null),
    distanceKm: km,
    durationS: hours * H,
    drivingS: hours * H - 300,
    idleS: 300,
    afterHoursS: 0,
    maxSpeedKmh: 82.4,
    avgSpeedKmh: km / hours,
    odometerStartKm: null,
    odometerEndKm: null,
    driver: null,
    job: null,
    ...extra,
  };
}

function stop(startedAt: string, minutes: number, place: { id: string; name: string } | null) {
  return {
    deviceId: 'dev-1',
    startedAt,
    endedAt: iso(Date.parse(startedAt) + minutes * 60_000),
    inProgress: false,
    ...point(60.1, place),
    durationS: minutes * 60,
    engineOnS: 120,
  };
}

/** The answer as the page holds it, from what the API's schema accepts. */
function tripsAnswer(items: object[], totals: object): SegmentAnswer {
  const list = tripListSchema.parse({
    assetId: ASSET,
    from: Date.parse('2026-11-30T22:00:00Z'),
    to: Date.parse('2026-12-03T22:00:00Z'),
    items,
    totals,
  });
  return { show: 'trips', timeZone: HELSINKI, list };
}

const cellsOf = (by: string, row: Parameters<typeof TRIPS_REPORT.rowKey>[0]) =>
  Object.fromEntries(TRIPS_REPORT.columns(by, { timeZone: HELSINKI }).map((c) => [c.key, c.text(row)]));

describe('trips', () => {
  const answer = tripsAnswer(
    [
      trip('2026-12-01T07:00:00.000Z', 120, 3, {
        driver: { id: '00000000-0000-4000-8000-0000000000d1', name: 'Aino Virtanen' },
        job: { id: JOB, reference: 'J-0042', title: 'Studio shoot' },
      }),
      trip('2026-12-01T20:30:00.000Z', 20, 0.5, { afterHoursS: 1800 }),
      trip('2026-12-03T21:50:00.000Z', 5.25, 0.25, { inProgress: true, afterHoursS: null }),
    ],
    { trips: 3, distanceKm: 145.25, durationS: 3.75 * H, idleS: 900 },
  );

  it('reads each trip in words: where, how far and long, how fast, who drove, for which job', () => {
    const [first, second, third] = TRIPS_REPORT.rows(answer);
    if (!first || !second || !third) throw new Error('three trips');
    expect(cellsOf('trips', first)).toEqual({
      startedAt: '1 Dec 2026, 09:00:00',
      from: 'North yard',
      to: '60.2000, 24.9000',
      distanceKm: '120.0 km',
      durationS: '3 h 00 min',
      drivingS: '2 h 55 min',
      idleS: '5 min',
      afterHoursS: '0 s',
      maxSpeedKmh: '82 km/h',
      avgSpeedKmh: '40 km/h',
      driver: 'Aino Virtanen',
      job: 'J-0042',
    });
    const job = TRIPS_REPORT.columns('trips', { timeZone: HELSINKI }).find((c) => c.key === 'job');
    expect(job?.href?.(first)).toBe(`/jobs/${JOB}`);
    expect(job?.href?.(second)).toBeUndefined();
    expect(cellsOf('trips', second)).toMatchObject({ afterHoursS: '30 min', driver: '', job: '' });
    // 23:50 in Helsinki, still driving; after hours not kept when it was written.
    expect(cellsOf('trips', third)).toMatchObject({
      startedAt: '3 Dec 2026, 23:50:00 (going on)',
      afterHoursS: '—',
    });
    expect(TRIPS_REPORT.rowKey(first)).toBe('dev-1:2026-12-01T07:00:00.000Z');
  });

  it('totals are the server’s, in the footer and the tiles', () => {
    expect(TRIPS_REPORT.footer(answer, 'trips')).toEqual({
      startedAt: 'Total',
      distanceKm: '145.3 km',
      durationS: '3 h 45 min',
      idleS: '15 min',
    });
    expect(TRIPS_REPORT.figures(answer).map((f) => [f.label, f.value])).toEqual([
      ['Trips', '3'],
      ['Distance', '145.3 km'],
      ['Duration', '3 h 45 min'],
      ['Idling', '15 min'],
    ]);
  });

  it('chart the distance of every day of the range, in the organisation’s calendar', () => {
    const chart = TRIPS_REPORT.chart(answer, 'trips');
    expect(chart).toMatchObject({
      title: 'Distance per day',
      unit: 'km',
      left: 0,
      overall: { values: [145.25] },
    });
    // 20:30 UTC on 1 December is 22:30 there, the same day; 21:50 UTC on 3 December is its 23:50.
    expect(chart.bars).toEqual([
      { label: '1 Dec', values: [140] },
      { label: '2 Dec', values: [0] },
      { label: '3 Dec', values: [5.25] },
    ]);
    expect(
      TRIPS_REPORT.chart(tripsAnswer([], { trips: 0, distanceKm: 0, durationS: 0, idleS: 0 }), 'trips').bars,
    ).toEqual([]);
  });
});

describe('stops', () => {
  const SITE = { id: '00000000-0000-4000-8000-0000000000b2', name: 'Studio lot' };
  const list = stopListSchema.parse({
    assetId: ASSET,
    from: 0,
    to: 1,
    items: [
      stop('2026-12-01T06:00:00.000Z', 60, YARD),
      stop('2026-12-01T11:00:00.000Z', 45, SITE),
      stop('2026-12-02T11:00:00.000Z', 30, SITE),
      stop('2026-12-02T15:00:00.000Z', 10, null),
    ],
    totals: { stops: 4, durationS: 145 * 60, engineOnS: 480 },
  });
  const answer: SegmentAnswer = { show: 'stops', timeZone: HELSINKI, list };

  it('read each stop’s start, place, time and engine time; the totals the server’s', () => {
    const rows = TRIPS_REPORT.rows(answer);
    expect(rows.map((r) => cellsOf('stops', r))).toEqual([
      { startedAt: '1 Dec 2026, 08:00:00', place: 'North yard', durationS: '1 h 00 min', engineOnS: '2 min' },
      { startedAt: '1 Dec 2026, 13:00:00', place: 'Studio lot', durationS: '45 min', engineOnS: '2 min' },
      { startedAt: '2 Dec 2026, 13:00:00', place: 'Studio lot', durationS: '30 min', engineOnS: '2 min' },
      {
        startedAt: '2 Dec 2026, 17:00:00',
        place: '60.1000, 24.9000',
        durationS: '10 min',
        engineOnS: '2 min',
      },
    ]);
    expect(TRIPS_REPORT.footer(answer, 'stops')).toEqual({
      startedAt: 'Total',
      durationS: '2 h 25 min',
      engineOnS: '8 min',
    });
    expect(TRIPS_REPORT.figures(answer).map((f) => f.value)).toEqual(['4', '2 h 25 min', '8 min']);
    // A trips column reads nothing of a stop: the two never share a table.
    const tripOnly = TRIPS_REPORT.columns('trips', { timeZone: 'UTC' }).find((c) => c.key === 'distanceKm');
    expect(rows[0] && [tripOnly?.text(rows[0]), tripOnly?.sortValue(rows[0])]).toEqual(['', null]);
  });

  it('chart the time stopped at each place, the most first, the rest of the map as one bar', () => {
    const chart = TRIPS_REPORT.chart(answer, 'stops');
    expect(chart).toMatchObject({
      title: 'Time stopped per place',
      unit: 'hours',
      overall: { values: [8700] },
    });
    expect(chart.bars).toEqual([
      { label: 'Studio lot', values: [75 * 60] },
      { label: 'North yard', values: [3600] },
      { label: ELSEWHERE, values: [600] },
    ]);
  });

  it('sort by every column of either, and only by those', () => {
    expect(TRIPS_REPORT.sortKeys).toEqual(
      expect.arrayContaining(['startedAt', 'from', 'distanceKm', 'job', 'place', 'engineOnS']),
    );
    expect(whereText({ lat: 60.123456, lon: -0.5, place: null })).toBe('60.1235, -0.5000');
  });
});

describe('durations', () => {
  it('are seconds, minutes, or hours and minutes', () => {
    expect([0, 40, 89, 3599, 3600, 7530, 90_000, null].map(formatDuration)).toEqual([
      '0 s',
      '40 s',
      '1 min',
      '1 h 00 min',
      '1 h 00 min',
      '2 h 06 min',
      '25 h 00 min',
      '—',
    ]);
  });
});
