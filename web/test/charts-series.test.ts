// Telemetry series as uPlot data: aligned arrays with gaps kept, summaries for the captions,
// isolated buckets, and the y ranges. Pure module, no browser or uPlot.
import type { TelemetrySeries } from '@fleet/api/contract';
import { describe, expect, it } from 'vitest';
import {
  fieldData,
  isolatedIndices,
  joinShortGaps,
  maxJoinedGapMs,
  seriesHasData,
  summarise,
  yRange,
} from '../src/lib/charts/series.ts';
import { chartSpec } from '../src/lib/charts/style.ts';
import { CHART_FIELDS_BY_KIND } from '../src/lib/device/fields.ts';

const MIN = 60_000;

function series(fields: TelemetrySeries['fields'], n = 5): TelemetrySeries {
  const from = 1_700_000_000_000;
  return {
    deviceId: 'van-1',
    from,
    to: from + n * MIN,
    bucketMs: MIN,
    ts: Array.from({ length: n }, (_, i) => from + i * MIN),
    fields,
  };
}

describe('fieldData', () => {
  it('gives [x, avg, min, max]: short pauses joined (undefined), gaps at the ends kept (null)', () => {
    const s = series({
      speedKmh: {
        unit: 'km/h',
        avg: [null, 10, null, 30, null],
        min: [null, 5, null, 20, null],
        max: [null, 15, null, 45, null],
      },
    });
    expect(fieldData(s, 'speedKmh')).toEqual([
      s.ts,
      [null, 10, undefined, 30, null],
      [null, 5, undefined, 20, null],
      [null, 15, undefined, 45, null],
    ]);
  });

  it('keeps a long silence as a gap', () => {
    // 10 buckets of 5 minutes: a value, 40 minutes without, a value.
    const s = series(
      { batteryV: { unit: 'V', avg: [12, ...Array(8).fill(null), 13], min: [], max: [] } },
      10,
    );
    s.bucketMs = 5 * MIN;
    s.ts = s.ts.map((_, i) => s.from + i * 5 * MIN);
    expect(fieldData(s, 'batteryV')?.[1]).toEqual([12, ...Array(8).fill(null), 13]);
  });

  it('is undefined for a field the series does not hold', () => {
    expect(fieldData(series({}), 'fuelLevelPct')).toBeUndefined();
  });

  it('keeps the arrays as long as x, whatever the columns hold', () => {
    const s = series(
      {
        batteryV: { unit: 'V', avg: [12.1, Number.NaN], min: [12], max: [12.2, 12.3, 12.4, 12.5, 12.6, 99] },
      },
      4,
    );
    const data = fieldData(s, 'batteryV');
    expect(data?.map((a) => a.length)).toEqual([4, 4, 4, 4]);
    expect(data?.[1]).toEqual([12.1, null, null, null]);
    expect(data?.[2]).toEqual([12, null, null, null]);
    expect(data?.[3]).toEqual([12.2, 12.3, 12.4, 12.5]);
  });

  it('does not share arrays with the series', () => {
    const s = series({
      speedKmh: { unit: 'km/h', avg: [1, 2, 3, 4, 5], min: [1, 2, 3, 4, 5], max: [1, 2, 3, 4, 5] },
    });
    const data = fieldData(s, 'speedKmh');
    data?.[0].push(0);
    expect(s.ts).toHaveLength(5);
  });
});

describe('summarise', () => {
  it('gives the buckets with data, the extremes of min and max, the mean and the last value', () => {
    const s = series({
      speedKmh: {
        unit: 'km/h',
        avg: [10, null, 30, 40, null],
        min: [5, null, 20, 35, null],
        max: [15, null, 45, 50, null],
      },
    });
    expect(summarise(fieldData(s, 'speedKmh') as NonNullable<ReturnType<typeof fieldData>>)).toEqual({
      buckets: 3,
      min: 5,
      max: 50,
      mean: (10 + 30 + 40) / 3,
      last: 40,
      lastTs: s.ts[3],
    });
  });

  it('is undefined when no bucket has a value', () => {
    const s = series(
      { fuelLevelPct: { unit: '%', avg: [null, null], min: [null, null], max: [null, null] } },
      2,
    );
    expect(
      summarise(fieldData(s, 'fuelLevelPct') as NonNullable<ReturnType<typeof fieldData>>),
    ).toBeUndefined();
    expect(seriesHasData(s)).toBe(false);
    expect(seriesHasData(series({}))).toBe(false);
    expect(
      seriesHasData(series({ a: { unit: '', avg: [null, 1], min: [null, 1], max: [null, 1] } }, 2)),
    ).toBe(true);
  });
});

describe('joinShortGaps', () => {
  it('joins a run of empty buckets when the values either side are close enough in time', () => {
    const x = Array.from({ length: 12 }, (_, i) => i * 5 * MIN);
    const values = [1, null, null, 2, null, null, null, null, null, 3, null, null];
    expect(joinShortGaps(x, values, 20 * MIN)).toEqual([
      1,
      undefined,
      undefined,
      2, // 15 min after 1: joined
      null,
      null,
      null,
      null,
      null,
      3, // 30 min after 2: a gap
      null,
      null, // after the last value: nothing to join to
    ]);
    expect(values[1]).toBeNull(); // a copy
  });

  it('joins at least 20 minutes, or four buckets when they are longer', () => {
    expect(maxJoinedGapMs(MIN)).toBe(20 * MIN);
    expect(maxJoinedGapMs(5 * MIN)).toBe(20 * MIN);
    expect(maxJoinedGapMs(15 * MIN)).toBe(60 * MIN);
  });
});

describe('isolatedIndices', () => {
  it('finds values with no neighbour, which a line cannot draw', () => {
    expect(isolatedIndices([1, null, 3, 4, null, 6])).toEqual([0, 5]);
    expect(isolatedIndices([null, 2, null])).toEqual([1]);
    expect(isolatedIndices([1, 2, 3])).toEqual([]);
    expect(isolatedIndices([7])).toEqual([0]);
    expect(isolatedIndices([])).toEqual([]);
    // Joined over a short pause: a line, no dots.
    expect(isolatedIndices([null, 1, undefined, 2, null])).toEqual([]);
  });
});

describe('yRange', () => {
  it('pads the data by 10% of its span', () => {
    expect(yRange(10, 20, { minSpan: 1 })).toEqual([9, 21]);
  });

  it('anchors at the floor and caps at the ceiling when the data lies within them', () => {
    expect(yRange(20, 60, { floor: 0, minSpan: 10 })).toEqual([0, 64]);
    expect(yRange(50, 99, { floor: 0, ceiling: 100, minSpan: 10 })).toEqual([0, 100]);
    // Data outside the floor (a calibration offset): not hidden.
    expect(yRange(-5, 10, { floor: 0, minSpan: 1 })[0]).toBeLessThan(-5);
  });

  it('gives a flat line some room', () => {
    expect(yRange(12.6, 12.6, { minSpan: 0.5 })).toEqual([12.35, 12.85]);
    expect(yRange(0, 0, { floor: 0, minSpan: 10 })).toEqual([0, 10]);
  });

  it('has a range without data too', () => {
    expect(yRange(null, null, { floor: 0, ceiling: 100 })).toEqual([0, 100]);
    expect(yRange(null, null, { minSpan: 2 })).toEqual([0, 2]);
  });
});

describe('chart specs', () => {
  it('name every chart with its unit and a colour', () => {
    for (const f of new Set([...CHART_FIELDS_BY_KIND.vehicle, ...CHART_FIELDS_BY_KIND.equipment])) {
      const spec = chartSpec(f);
      expect(spec.label).not.toBe('');
      expect(spec.unit).not.toBe('');
      expect(spec.color).toMatch(/^#[0-9a-f]{6}$/);
    }
    expect(chartSpec('speedKmh')).toMatchObject({ unit: 'km/h', floor: 0 });
    expect(chartSpec('fuelLevelPct')).toMatchObject({ unit: '%', floor: 0, ceiling: 100 });
  });
});
