// A report's schedules by email (lib/reports/schedules.ts): the form to a body the API's own
// schema accepts, with the grouping and filters the page shows; the form's own problems; and a
// schedule in words in the organisation's zone.
import { describe, expect, it } from 'vitest';
import {
  newReportScheduleSchema,
  reportScheduleSchema,
} from '../../api/src/domains/report-schedules/schemas.ts';
import {
  emptyScheduleForm,
  lastRunText,
  nextRunText,
  parseRecipients,
  scheduleBody,
  scheduleProblems,
  scheduleScope,
  schedulesOf,
} from '../src/lib/reports/schedules.ts';
import { defaultView } from '../src/lib/reports/view.ts';

const NOW = Date.UTC(2026, 11, 3, 12);
const DEPT = '00000000-0000-4000-8000-000000000001';
const view = {
  ...defaultView({ groups: ['asset', 'day'], maxDays: 92, sortKeys: [] }, NOW, 'UTC'),
  by: 'day',
  kind: 'vehicle' as const,
  departmentId: DEPT,
};

const schedule = (over: Record<string, unknown> = {}) =>
  reportScheduleSchema.parse({
    id: '00000000-0000-4000-8000-0000000000c1',
    name: 'Weekly summary',
    report: 'summary',
    params: { by: 'day', kind: 'vehicle', departmentId: DEPT },
    cadence: 'weekly',
    format: 'xlsx',
    recipients: ['boss@example.test'],
    enabled: true,
    nextRunAt: '2026-12-07T04:00:00.000Z',
    lastRunAt: null,
    lastError: null,
    createdBy: null,
    scopeDepartmentId: null,
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    ...over,
  });

describe('the form', () => {
  it('makes a body the API accepts, with the page’s grouping and filters', () => {
    const form = {
      ...emptyScheduleForm('Summary'),
      recipients: 'boss@example.test;\n  ops@example.test , BOSS@example.test',
    };
    const body = scheduleBody(form, 'summary', view);
    expect(body).toEqual({
      name: 'Summary report',
      report: 'summary',
      params: { by: 'day', kind: 'vehicle', departmentId: DEPT },
      cadence: 'weekly',
      format: 'xlsx',
      recipients: ['boss@example.test', 'ops@example.test'],
      enabled: true,
    });
    expect(newReportScheduleSchema.safeParse(body).success).toBe(true);
    // A report without groupings sends none (the API refuses a `by` for it).
    const alerts = scheduleBody(form, 'alerts', {
      ...view,
      by: undefined,
      kind: undefined,
      departmentId: undefined,
    });
    expect(alerts.params).toEqual({});
    expect(newReportScheduleSchema.safeParse(alerts).success).toBe(true);
  });

  it('says what it can tell before sending', () => {
    const form = emptyScheduleForm('Visits');
    expect(scheduleProblems(form)).toEqual({ recipients: 'at least one email address' });
    expect(scheduleProblems({ ...form, name: '  ', recipients: 'a@b.test' })).toEqual({
      name: 'a name is 1..100 characters',
    });
    expect(scheduleProblems({ ...form, recipients: 'a@b.test, nobody' })).toEqual({
      recipients: 'nobody is not an email address',
    });
    const many = Array.from({ length: 21 }, (_, i) => `p${i}@example.test`).join(',');
    expect(scheduleProblems({ ...form, recipients: many })).toEqual({ recipients: 'at most 20 addresses' });
    expect(scheduleProblems({ ...form, recipients: 'a@b.test' })).toEqual({});
    expect(parseRecipients(' , ;\n')).toEqual([]);
  });
});

describe('a schedule in words', () => {
  it('says what it sends, when and how the last run went', () => {
    const s = schedule();
    const scope = scheduleScope(s, { asset: 'Per asset', day: 'Per day' }, (id) =>
      id === DEPT ? 'North depot' : '',
    );
    expect(scope).toBe('Per day · vehicles · North depot');
    expect(scheduleScope(schedule({ report: 'alerts', params: {} }), {}, () => '')).toBe(
      'every asset · every department',
    );
    expect(nextRunText(s, 'Europe/Helsinki')).toBe('Next 7 Dec 2026, 06:00:00');
    expect(nextRunText(schedule({ enabled: false }), 'UTC')).toBe('Off');
    expect(lastRunText(s, 'UTC')).toBe('Not sent yet');
    expect(lastRunText(schedule({ lastRunAt: '2026-12-03T12:00:00.000Z' }), 'UTC')).toBe(
      'Sent 3 Dec 2026, 12:00:00',
    );
    expect(
      lastRunText(schedule({ lastRunAt: '2026-12-03T12:00:00.000Z', lastError: 'no SMTP_URL' }), 'UTC'),
    ).toBe('Failed 3 Dec 2026, 12:00:00: no SMTP_URL');
  });

  it('lists one report’s schedules by name', () => {
    const list = [
      schedule({ name: 'b' }),
      schedule({ name: 'A', id: '00000000-0000-4000-8000-0000000000c2' }),
      schedule({ report: 'alerts', id: '00000000-0000-4000-8000-0000000000c3', params: {} }),
    ];
    expect(schedulesOf(list, 'summary').map((s) => s.name)).toEqual(['A', 'b']);
  });
});
