// What the report pages' browser tests share: trips and stops as the device side writes them to
// QuestDB (ingest's StoredRow, sent through the same ILP transport), and the page read back as a
// reader sees it: the table's cells, the totals row, the chart drawn, a file the browser saved.
import { readFileSync } from 'node:fs';
import type { StoredRow } from '@fleet/ingest';
import { localDay } from '@fleet/shared/time-zone';
import type { Stop, Trip } from '@fleet/shared/trips';
import { weekdayOf } from '@fleet/shared/working-time';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { ReportSpec } from '../src/lib/reports/spec.ts';
import { poll } from './console-harness.ts';

const H = 3600;
const DAY_MS = 86_400_000;
type Point = { lat: number; lon: number };

/** The calendar day `n` days after `day` (before, for a negative `n`). */
export const plusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T12:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** A Monday at least a week ago and the Sunday after it, in the organisation's calendar: a whole week seeded in the past. */
export function pastWeek(timeZone: string): { monday: string; sunday: string } {
  let d = localDay(Date.now() - 8 * DAY_MS, timeZone);
  while (weekdayOf(d) !== 'mon') d = plusDays(d, -1);
  return { monday: d, sunday: plusDays(d, 6) };
}

/** A closed trip of `hours` and `km` from `start` at `startTs`, as the device side stores it. */
export function storedTrip(
  tenant: string,
  deviceId: string,
  trip: {
    startTs: number;
    hours: number;
    km: number;
    start: Point;
    end: Point;
    afterHoursS?: number;
    driverCardId?: string;
  },
): StoredRow {
  const { startTs, hours, km, start, end, afterHoursS = 0, driverCardId } = trip;
  const segment: Trip = {
    kind: 'trip',
    startTs,
    endTs: startTs + hours * H * 1000,
    start,
    end,
    distanceM: km * 1000,
    durationS: hours * H,
    maxSpeedKmh: 80,
    avgSpeedKmh: km / hours,
    idleS: 0,
    points: 100,
    jumps: 0,
    ...(driverCardId === undefined ? {} : { driverCardId }),
  };
  return {
    table: 'trips',
    segment: { tenant, deviceId, segment, open: false, deleted: false, writtenAt: Date.now(), afterHoursS },
  };
}

/** A closed stop of `minutes` at `at` from `startTs`, as the device side stores it. */
export function storedStop(
  tenant: string,
  deviceId: string,
  stop: { startTs: number; minutes: number; at: Point; engineOnS?: number },
): StoredRow {
  const { startTs, minutes, at, engineOnS = 0 } = stop;
  const segment: Stop = {
    kind: 'stop',
    startTs,
    endTs: startTs + minutes * 60_000,
    lat: at.lat,
    lon: at.lon,
    durationS: minutes * 60,
    engineOnS,
    points: 10,
  };
  return {
    table: 'stops',
    segment: { tenant, deviceId, segment, open: false, deleted: false, writtenAt: Date.now() },
  };
}

/** The table as the page shows it: each row's cells by column key. */
export async function tableRows(page: Page, testid = 'report-table') {
  return page
    .getByTestId(`${testid}-row`)
    .evaluateAll((trs) =>
      trs.map((tr) =>
        Object.fromEntries(
          [...tr.querySelectorAll('[data-testid^="cell-"]')].map((el) => [
            (el.getAttribute('data-testid') ?? '').slice(5),
            el.textContent?.trim() ?? '',
          ]),
        ),
      ),
    );
}

/** The rows as the spec words the API's answer, in the API's order. */
export function expectedRows<A, R>(
  spec: Pick<ReportSpec<A, R>, 'columns' | 'rows'>,
  answer: A,
  by: string | undefined,
  timeZone: string,
) {
  const columns = spec.columns(by, { timeZone });
  return spec.rows(answer).map((row) => Object.fromEntries(columns.map((c) => [c.key, c.text(row)])));
}

export async function footer(page: Page, key: string): Promise<string> {
  return (await page.getByTestId('report-table-footer').getByTestId(`footer-${key}`).textContent()) ?? '';
}

/** The chart has `bars` bars and its canvas is drawn at a readable size. */
export async function chartDrawn(page: Page, bars: number) {
  const chart = page.getByTestId('report-chart');
  await poll(() => chart.getAttribute('data-bars')).toBe(String(bars));
  await poll(async () => (await chart.locator('canvas').first().boundingBox())?.width ?? 0).toBeGreaterThan(
    200,
  );
  const box = await chart.locator('canvas').first().boundingBox();
  expect(box?.height ?? 0).toBeGreaterThan(100);
}

/** Clicks a download button; the file the browser saved, by name and content. */
export async function downloaded(page: Page, format: 'csv' | 'xlsx') {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId(`download-${format}`).click(),
  ]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: readFileSync(path) };
}

export const query = (page: Page) => new URL(page.url()).searchParams;
