// The alert counts the header's badge and the live map's panel show (lib/alerts/board.ts): loaded
// from the summary, then moved by the hub's frames exactly when the board knows what the alert
// counted as before; a frame it cannot count asks for the summary again; stale and repeated
// frames change nothing; a new critical alert is told apart (the flash and the beep).
import type { AlertRecord } from '@fleet/shared/rules';
import { describe, expect, it } from 'vitest';
import { AlertBoard, emptySummary, newestFirst, weight } from '../src/lib/alerts/board.ts';

let n = 0;
function alert(patch: Partial<AlertRecord> = {}): AlertRecord {
  n++;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    orgId: '00000000-0000-4000-8000-000000000000',
    ruleId: null,
    ruleName: 'Speeding',
    kind: 'overspeed',
    severity: 'warning',
    state: 'open',
    active: true,
    title: 'Speeding',
    deviceId: 'dev-1',
    assetId: null,
    placeId: null,
    startedAt: new Date(Date.UTC(2026, 10, 21, 12, 0, n)).toISOString(),
    endedAt: null,
    raisedAt: new Date(Date.UTC(2026, 10, 21, 12, 0, n)).toISOString(),
    late: false,
    lat: 60.17,
    lon: 24.94,
    details: { peakKmh: 97, limitKmh: 80 },
    suppressedBy: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    assigneeId: null,
    updatedAt: new Date(Date.UTC(2026, 10, 21, 12, 0, n)).toISOString(),
    ...patch,
  };
}

const later = (a: AlertRecord, patch: Partial<AlertRecord>, s = 1): AlertRecord => ({
  ...a,
  ...patch,
  updatedAt: new Date(Date.parse(a.updatedAt) + s * 1000).toISOString(),
});

describe('what an alert counts as', () => {
  it('counts open and acknowledged alerts, not resolved or suppressed ones', () => {
    expect(weight(alert())).toEqual({ severity: 'warning', state: 'open' });
    expect(weight(alert({ state: 'acknowledged', severity: 'critical' }))).toEqual({
      severity: 'critical',
      state: 'acknowledged',
    });
    expect(weight(alert({ state: 'resolved' }))).toBeNull();
    expect(weight(alert({ suppressedBy: '00000000-0000-4000-8000-0000000000ff' }))).toBeNull();
  });

  it('orders newest first by when the condition began', () => {
    const a = alert();
    const b = alert();
    expect([a, b].sort(newestFirst).map((x) => x.id)).toEqual([b.id, a.id]);
  });
});

describe('the board', () => {
  const loaded = () => {
    const board = new AlertBoard(3);
    const known = alert({ severity: 'critical' });
    board.load(
      { total: 5, bySeverity: { info: 1, warning: 3, critical: 1 }, byState: { open: 4, acknowledged: 1 } },
      [known],
    );
    return { board, known };
  };

  it('adds an opened alert to the counts and the list', () => {
    const { board } = loaded();
    const fresh = alert();
    expect(board.apply({ change: 'opened', alert: fresh })).toEqual({
      changed: true,
      resync: false,
      newCritical: false,
    });
    expect(board.summary).toEqual({
      total: 6,
      bySeverity: { info: 1, warning: 4, critical: 1 },
      byState: { open: 5, acknowledged: 1 },
    });
    expect(board.open.map((a) => a.id)).toEqual([fresh.id, board.open[1]?.id]);
  });

  it('moves an acknowledged alert from open to acknowledged, and drops a resolved one', () => {
    const { board, known } = loaded();
    const acked = later(known, { state: 'acknowledged' });
    expect(board.apply({ change: 'updated', alert: acked }).resync).toBe(false);
    expect(board.summary.byState).toEqual({ open: 3, acknowledged: 2 });
    expect(board.summary.total).toBe(5);
    board.apply({ change: 'resolved', alert: later(acked, { state: 'resolved' }) });
    expect(board.summary).toEqual({
      total: 4,
      bySeverity: { info: 1, warning: 3, critical: 0 },
      byState: { open: 3, acknowledged: 1 },
    });
    expect(board.open).toEqual([]);
  });

  it('counts a repeated frame once and ignores one older than what it holds', () => {
    const { board, known } = loaded();
    const resolved = later(known, { state: 'resolved' }, 2);
    board.apply({ change: 'resolved', alert: resolved });
    board.apply({ change: 'resolved', alert: resolved });
    expect(board.summary.total).toBe(4);
    const stale = later(known, { state: 'acknowledged' }, 1);
    expect(board.apply({ change: 'updated', alert: stale }).changed).toBe(false);
    expect(board.summary.total).toBe(4);
  });

  it('asks for the summary again for an alert it did not hold, and keeps it from then on', () => {
    const { board } = loaded();
    const elsewhere = alert({ state: 'acknowledged' });
    expect(board.apply({ change: 'updated', alert: elsewhere })).toEqual({
      changed: true,
      resync: true,
      newCritical: false,
    });
    expect(board.summary.total).toBe(5);
    board.loadSummary({ ...emptySummary(), total: 5 });
    expect(board.apply({ change: 'resolved', alert: later(elsewhere, { state: 'resolved' }) }).resync).toBe(
      false,
    );
    expect(board.summary.total).toBe(4);
  });

  it('tells a new critical alert apart: opened, or reopened, not acknowledged or repeated', () => {
    const { board, known } = loaded();
    const critical = alert({ severity: 'critical' });
    expect(board.apply({ change: 'opened', alert: critical }).newCritical).toBe(true);
    expect(board.apply({ change: 'opened', alert: later(critical, {}) }).newCritical).toBe(false);
    expect(
      board.apply({ change: 'updated', alert: later(known, { state: 'acknowledged' }) }).newCritical,
    ).toBe(false);
    const resolved = later(known, { state: 'resolved' }, 2);
    board.apply({ change: 'resolved', alert: resolved });
    expect(board.apply({ change: 'updated', alert: later(resolved, { state: 'open' }) }).newCritical).toBe(
      true,
    );
    const suppressed = alert({ severity: 'critical', suppressedBy: critical.id });
    expect(board.apply({ change: 'opened', alert: suppressed })).toEqual({
      changed: true,
      resync: false,
      newCritical: false,
    });
  });

  it('lists at most its size, newest first, and a load replaces everything', () => {
    const board = new AlertBoard(2);
    const items = [alert(), alert(), alert()];
    board.load({ ...emptySummary(), total: 3 }, items);
    expect(board.open.map((a) => a.id)).toEqual([items[2]?.id, items[1]?.id]);
    board.load(emptySummary(), []);
    expect(board.open).toEqual([]);
    expect(board.get(items[0]?.id ?? '')).toBeUndefined();
  });

  it('never counts below zero', () => {
    const board = new AlertBoard();
    const a = alert();
    board.load(emptySummary(), [a]);
    board.apply({ change: 'resolved', alert: later(a, { state: 'resolved' }) });
    expect(board.summary).toEqual(emptySummary());
  });
});
