// What the report pages hold of the API beyond the contract's types (lib/api/reports.ts and the
// specs): the ranges, groupings, reports and schedule limits are the API's, every route the
// client calls is one the contract lists (so api/test/contract.test.ts checks it against the
// real route), and each spec reads an answer the API's own schema accepts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleEndpoints } from '../../api/src/contract.ts';
import * as schedules from '../../api/src/domains/report-schedules/schemas.ts';
import * as reports from '../../api/src/domains/reports/schemas.ts';
import { REPORT_ENDPOINTS, REPORT_LIMITS, REPORT_NAMES } from '../src/lib/api/reports.ts';
import { ALERTS_REPORT } from '../src/lib/reports/alerts.ts';
import { SUMMARY_REPORT } from '../src/lib/reports/summary.ts';
import { UTILISATION_REPORT } from '../src/lib/reports/utilisation.ts';
import { VISITS_REPORT } from '../src/lib/reports/visits.ts';

const SPECS = [SUMMARY_REPORT, UTILISATION_REPORT, VISITS_REPORT, ALERTS_REPORT] as const;

describe('the limits and choices', () => {
  it('are the API’s', () => {
    expect(REPORT_LIMITS.maxDays).toBe(reports.SUMMARY_MAX_DAYS);
    expect(REPORT_LIMITS.maxDays).toBe(reports.UTILISATION_MAX_DAYS);
    expect(REPORT_LIMITS.maxDays).toBe(reports.ALERTS_REPORT_MAX_DAYS);
    expect(REPORT_LIMITS.visitsMaxDays).toBe(reports.VISITS_MAX_DAYS);
    expect(REPORT_LIMITS.scheduleName).toBe(schedules.SCHEDULE_NAME_MAX_LENGTH);
    expect(REPORT_LIMITS.recipients).toBe(schedules.SCHEDULE_MAX_RECIPIENTS);
    expect(REPORT_NAMES).toEqual(schedules.SCHEDULED_REPORTS);
    expect(SPECS.map((s) => s.report)).toEqual([...schedules.SCHEDULED_REPORTS]);
    for (const spec of SPECS) expect([...spec.groups]).toEqual([...schedules.REPORT_GROUPS[spec.report]]);
  });

  it('make queries the API reads: the widest range, every grouping, and no wider', () => {
    const queries = {
      summary: reports.summaryQuerySchema,
      utilisation: reports.utilisationQuerySchema,
      visits: reports.visitsQuerySchema,
      alerts: reports.alertsReportQuerySchema,
    } as const;
    for (const spec of SPECS) {
      const schema = queries[spec.report];
      const to = new Date(Date.UTC(2026, 0, spec.maxDays)).toISOString().slice(0, 10);
      const beyond = new Date(Date.UTC(2026, 0, spec.maxDays + 1)).toISOString().slice(0, 10);
      for (const by of spec.groups.length === 0 ? [undefined] : spec.groups) {
        const query = { from: '2026-01-01', to, ...(by === undefined ? {} : { by }), kind: 'vehicle' };
        expect(schema.safeParse(query).success, `${spec.report} ${by}`).toBe(true);
        expect(schema.safeParse({ ...query, to: beyond }).success).toBe(false);
      }
      for (const format of ['csv', 'xlsx'])
        expect(schema.safeParse({ from: '2026-01-01', to: '2026-01-02', format }).success).toBe(true);
    }
  });

  it('call only routes the contract lists', () => {
    const listed = new Set(Object.keys(consoleEndpoints));
    for (const endpoint of Object.values(REPORT_ENDPOINTS)) expect(listed).toContain(endpoint);
    const source = readFileSync(resolve(import.meta.dirname, '../src/lib/api/reports.ts'), 'utf8');
    const called = [...source.matchAll(/'((?:GET|POST|PATCH|DELETE) \/api\/v1\/[^']+)'/g)].map((m) => m[1]);
    expect(called.length).toBeGreaterThan(8);
    for (const endpoint of called) expect(listed).toContain(endpoint);
  });
});

const asset = {
  id: '00000000-0000-4000-8000-00000000000a',
  kind: 'vehicle' as const,
  name: 'Van 7',
  plate: 'ABC-123',
  category: 'van',
  departmentId: null,
  departmentName: null,
};

describe('each spec reads an answer of the API’s schema', () => {
  it('the summary, per asset and per day', () => {
    const figures = {
      trips: 3,
      distanceKm: 123.45,
      drivingS: 7200,
      idleS: 900,
      engineS: 8100,
      afterHoursS: 1800,
      fuelLitres: 40,
      utilisation: 0.25,
    };
    const answer = reports.summarySchema.parse({
      from: '2026-12-01',
      to: '2026-12-31',
      by: 'asset',
      timeZone: 'Europe/Helsinki',
      rows: [{ ...figures, asset }],
      totals: figures,
    });
    const columns = SUMMARY_REPORT.columns('asset', { timeZone: 'UTC' });
    const row = SUMMARY_REPORT.rows(answer)[0];
    if (!row) throw new Error('no row');
    const cells = Object.fromEntries(columns.map((c) => [c.key, c.text(row)]));
    expect(cells).toMatchObject({
      name: 'Van 7',
      plate: 'ABC-123',
      distanceKm: '123.5 km',
      drivingS: '2.0 h',
      engineS: '2.3 h',
      afterHoursS: '0.5 h',
      fuelLitres: '40.0 l',
      utilisation: '25%',
    });
    expect(columns.find((c) => c.key === 'name')?.href?.(row)).toBe(`/vehicles/${asset.id}`);
    expect(SUMMARY_REPORT.footer(answer, 'asset')).toMatchObject({ name: 'Total', distanceKm: '123.5 km' });
    expect(SUMMARY_REPORT.figures(answer).map((f) => f.label)).toContain('After hours');
    const byDay = SUMMARY_REPORT.columns('day', { timeZone: 'UTC' }).map((c) => c.key);
    expect(byDay[0]).toBe('day');
    expect(byDay).not.toContain('plate');
    expect(SUMMARY_REPORT.sortKeys).toEqual(expect.arrayContaining(['day', 'name', 'plate', 'distanceKm']));
  });

  it('utilisation, with the assets that sat idle', () => {
    const figures = { assets: 2, inUseS: 3600, workingS: 36_000, utilisation: 0.1, idleAssets: 1 };
    const answer = reports.utilisationReportSchema.parse({
      from: '2026-12-01',
      to: '2026-12-31',
      by: 'department',
      timeZone: 'UTC',
      idleBelow: 0.1,
      rows: [{ key: null, name: 'No department', ...figures }],
      totals: figures,
      idle: [{ asset, inUseS: 60, utilisation: 0.003 }],
    });
    const cols = UTILISATION_REPORT.columns('department', { timeZone: 'UTC' });
    expect(cols.map((c) => c.label)).toEqual([
      'Department',
      'Assets',
      'In use',
      'Working time',
      'Utilisation',
      'Sitting idle',
    ]);
    expect(UTILISATION_REPORT.columns('asset', { timeZone: 'UTC' }).map((c) => c.key)).not.toContain(
      'assets',
    );
    const row = UTILISATION_REPORT.rows(answer)[0];
    if (!row) throw new Error('no row');
    expect(cols.map((c) => c.text(row))).toEqual(['No department', '2', '1.0 h', '10.0 h', '10%', '1']);
    expect(UTILISATION_REPORT.rowKey(row)).toBe('none');
    const chart = UTILISATION_REPORT.chart(answer, 'department');
    expect(chart).toMatchObject({
      unit: 'share',
      bars: [{ label: 'No department', values: [0.1] }],
      left: 0,
    });
  });

  it('visits, per place and per place and asset, times in the organisation’s zone', () => {
    const row = {
      place: { id: '00000000-0000-4000-8000-0000000000b1', name: 'Depot', category: 'client_site' },
      asset,
      visits: 2,
      assets: 1,
      totalS: 5400,
      averageS: 2700,
      longestS: 3600,
      firstAt: '2026-12-01T06:00:00.000Z',
      lastAt: '2026-12-02T06:00:00.000Z',
    };
    const answer = reports.visitsReportSchema.parse({
      from: '2026-12-01',
      to: '2026-12-31',
      by: 'asset',
      timeZone: 'Europe/Helsinki',
      rows: [row],
      totals: { visits: 2, totalS: 5400 },
    });
    const cols = VISITS_REPORT.columns('asset', { timeZone: 'Europe/Helsinki' });
    const parsed = VISITS_REPORT.rows(answer)[0];
    if (!parsed) throw new Error('no row');
    const cells = Object.fromEntries(cols.map((c) => [c.key, c.text(parsed)]));
    expect(cells).toMatchObject({
      place: 'Depot',
      category: 'Client site',
      asset: 'Van 7 (ABC-123)',
      totalS: '1.5 h',
      averageS: '0.8 h',
      firstAt: '1 Dec 2026, 08:00:00',
    });
    expect(VISITS_REPORT.columns('place', { timeZone: 'UTC' }).map((c) => c.key)).toContain('assets');
    expect(VISITS_REPORT.chart(answer, 'asset').bars).toEqual([{ label: 'Depot · Van 7', values: [5400] }]);
  });

  it('alerts per asset, by severity and kind', () => {
    const bySeverity = { critical: 1, warning: 2, info: 0 };
    const answer = reports.alertsReportSchema.parse({
      from: '2026-12-01',
      to: '2026-12-31',
      timeZone: 'UTC',
      rows: [
        {
          asset,
          total: 3,
          bySeverity,
          byKind: { overspeed: 2, geofence_exit: 1 },
          open: 1,
          meanTimeToResolveS: 1800,
        },
      ],
      totals: { total: 3, bySeverity, open: 1 },
    });
    const row = ALERTS_REPORT.rows(answer)[0];
    if (!row) throw new Error('no row');
    const cells = Object.fromEntries(
      ALERTS_REPORT.columns(undefined, { timeZone: 'UTC' }).map((c) => [c.key, c.text(row)]),
    );
    expect(cells).toMatchObject({
      critical: '1',
      warning: '2',
      info: '0',
      total: '3',
      open: '1',
      meanTimeToResolveS: '0.5 h',
    });
    expect(cells.kinds).toMatch(/^\S.* 2 · .* 1$/);
    const chart = ALERTS_REPORT.chart(answer, undefined);
    expect(chart.parts.map((p) => p.key)).toEqual(['critical', 'warning', 'info']);
    expect(chart.bars).toEqual([{ label: 'Van 7', values: [1, 2, 0] }]);
    expect(ALERTS_REPORT.footer(answer, undefined)).toMatchObject({ total: '3', critical: '1', open: '1' });
  });
});
