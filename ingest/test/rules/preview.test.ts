// A rule run over stored history (what POST /api/v1/rules/preview answers), with no database:
// the episodes it would have raised with their start, end and figures, time-driven rules fired
// by the clock ticking through the history's gaps, only the previewed asset's alerts, and the
// cap on how many are listed.
import {
  DEFAULT_WORKING_HOURS,
  NO_MEASUREMENTS,
  RULE_PARAMS,
  type RuleDefinition,
  type RuleKind,
  type TelemetryRecord,
} from '@fleet/shared';
import { describe, expect, it } from 'vitest';
import { buildOrgContext } from '../../src/rules/org-context.ts';
import { previewRule, type RulePreviewInput } from '../../src/rules/preview.ts';
import type { AssetInfo } from '../../src/rules/types.ts';

const ORG = '00000000-0000-4000-8000-000000000001';
const asset = (n: number, kind: AssetInfo['kind'] = 'vehicle'): AssetInfo => ({
  id: `00000000-0000-4000-8000-0000000000a${n}`,
  kind,
  name: `Van ${n}`,
  plate: `ABC-12${n}`,
  departmentId: null,
  speedLimitKmh: null,
  offlineAfterS: null,
  tankCapacityL: 80,
  odometerOffsetKm: 0,
  engineHoursOffset: 0,
});
const VAN = asset(1);
const OTHER = asset(2);
const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);

function rule<K extends RuleKind>(kind: K, params: object = {}): RuleDefinition {
  return {
    id: '00000000-0000-4000-8000-00000000ffff',
    orgId: ORG,
    name: `${kind} preview`,
    kind,
    severity: 'warning',
    enabled: true,
    params: RULE_PARAMS[kind].parse(params),
    scope: { departmentIds: [], assetIds: [], placeIds: [], placeCategories: [] },
    schedule: undefined,
  } as RuleDefinition;
}

function record(deviceId: string, second: number, values: Partial<TelemetryRecord> = {}): TelemetryRecord {
  const ts = T0 + second * 1000;
  // Stored an hour after it was measured: a preview must not call that late.
  return {
    ...NO_MEASUREMENTS,
    tenant: ORG,
    deviceId,
    seq: second + 1,
    ts,
    receivedAt: ts + 3_600_000,
    lat: 60.17 + second * 1e-5,
    lon: 24.94,
    ignition: true,
    ...values,
  };
}

const drive = (deviceId: string, from: number, to: number, speedKmh: number) =>
  Array.from({ length: to - from }, (_, i) => record(deviceId, from + i, { speedKmh }));

function input(r: RuleDefinition, telemetry: TelemetryRecord[], extra: Partial<RulePreviewInput> = {}) {
  const context = buildOrgContext({
    orgId: ORG,
    timeZone: 'Europe/Helsinki',
    workingHours: DEFAULT_WORKING_HOURS,
    places: [],
    assets: new Map([
      ['van-1', VAN],
      ['van-2', OTHER],
    ]),
  });
  return {
    rule: r,
    context,
    asset: VAN,
    deviceIds: new Set(['van-1']),
    telemetry,
    events: [],
    from: T0,
    to: T0 + 3_600_000,
    tickMs: 5000,
    maxAlerts: 100,
    ...extra,
  } satisfies RulePreviewInput;
}

describe('previewRule', () => {
  it('lists each speeding episode once with its start, end and peak, none of them late', () => {
    const track = [
      ...drive('van-1', 0, 10, 60),
      ...drive('van-1', 10, 60, 112),
      ...drive('van-1', 60, 100, 50),
      ...drive('van-1', 100, 140, 130),
      ...drive('van-1', 140, 200, 40),
    ];
    const result = previewRule(
      input(rule('overspeed', { limitKmh: 90, minDurationS: 30, clearDelayS: 10 }), track),
    );
    expect(result.alerts.map((a) => [a.startedAt - T0, (a.endedAt ?? 0) - T0, a.details.peakKmh])).toEqual([
      [10_000, 60_000, 112],
      [100_000, 140_000, 130],
    ]);
    expect(result.alerts.every((a) => a.assetId === VAN.id && a.deviceId === 'van-1')).toBe(true);
    expect(result.evaluated).toBe(200);
    expect(result.ruleErrors).toBe(0);
  });

  it('an episode still going at the end of the range is listed open (endedAt null)', () => {
    const result = previewRule(
      input(rule('overspeed', { limitKmh: 90, minDurationS: 20 }), drive('van-1', 0, 60, 120), {
        to: T0 + 60_000,
      }),
    );
    expect(result.alerts).toHaveLength(1);
    expect(result.alerts[0]?.endedAt).toBeNull();
  });

  it('ticks through a silent hour: the offline alert opens after its threshold and ends when data returns', () => {
    const track = [...drive('van-1', 0, 60, 30), ...drive('van-1', 2400, 2460, 30)];
    const result = previewRule(input(rule('offline', { afterS: 600 }), track));
    // The second silence runs from second 2459 to the end of the range: still offline there.
    expect(result.alerts).toHaveLength(2);
    const [offline, atEnd] = result.alerts;
    expect(atEnd?.endedAt).toBeNull();
    expect(atEnd?.startedAt).toBeGreaterThanOrEqual(T0 + 2_459_000);
    // Silent from the last record (second 59); opened once 600 s had passed, ended at second 2400.
    expect(offline?.startedAt).toBeGreaterThanOrEqual(T0 + 59_000);
    expect(offline?.startedAt).toBeLessThanOrEqual(T0 + 59_000 + 600_000 + 5000);
    expect(offline?.endedAt).not.toBeNull();
    expect(Number(offline?.endedAt)).toBeGreaterThanOrEqual(T0 + 2_400_000);
    expect(result.ticks).toBeGreaterThan(700);
  });

  it("another asset's records raise nothing in this asset's preview", () => {
    const track = [...drive('van-2', 0, 80, 140), ...drive('van-1', 0, 80, 50)];
    const result = previewRule(input(rule('overspeed', { limitKmh: 90, minDurationS: 10 }), track));
    expect(result.alerts).toEqual([]);
    expect(result.evaluated).toBe(160);
  });

  it('keeps the earliest alerts up to the cap and counts the rest', () => {
    const track: TelemetryRecord[] = [];
    for (let k = 0; k < 6; k++)
      track.push(
        ...drive('van-1', k * 100, k * 100 + 40, 130),
        ...drive('van-1', k * 100 + 40, k * 100 + 100, 40),
      );
    const result = previewRule(
      input(rule('overspeed', { limitKmh: 90, minDurationS: 10, clearDelayS: 5 }), track, { maxAlerts: 4 }),
    );
    expect(result.alerts).toHaveLength(4);
    expect(result.moreAlerts).toBe(2);
    expect(result.alerts.map((a) => a.startedAt)).toEqual([0, 100, 200, 300].map((s) => T0 + s * 1000));
  });

  it('records outside the range are not evaluated', () => {
    const result = previewRule(
      input(rule('overspeed', { limitKmh: 90, minDurationS: 10 }), drive('van-1', 0, 100, 130), {
        from: T0 + 200_000,
        to: T0 + 400_000,
      }),
    );
    expect(result.alerts).toEqual([]);
  });
});
