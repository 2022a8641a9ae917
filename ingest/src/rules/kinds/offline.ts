// No data: nothing received from a device for longer than its asset's offline_after_s (the
// rule's afterS otherwise). Time-driven: the engine's tick asks, and the first record that
// arrives again clears it. Times are the device's: the tick's server time is mapped onto the
// device clock through the newest record (device time + server time elapsed since it arrived).
// A POWER_CUT event shortly before the silence is named as the cause, so the engine can file
// this alert behind the power cut's instead of raising two for one event.
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { AlertDetails, KindResult, RuleKindModule } from '../types.ts';

/** A cut this long before the last record (or after it) explains the silence. */
const POWER_CUT_CAUSE_MS = 10 * 60_000;

interface Memory {
  /** Device time the open (or pending) offline condition began. */
  offlineAt?: number;
}

export const offline: RuleKindModule<'offline'> = {
  kind: 'offline',
  assetKinds: RULE_ASSET_KINDS.offline,
  onTick({ rule, asset, memory }, step): KindResult | undefined {
    const { now, lastReceivedAt, latest } = step;
    if (lastReceivedAt === undefined) return undefined;
    const afterS = asset.offlineAfterS ?? rule.params.afterS;
    const silentMs = now - lastReceivedAt;
    if (silentMs <= afterS * 1000) return undefined;
    const m = memory as Memory;
    const at = (latest?.ts ?? lastReceivedAt) + silentMs;
    m.offlineAt ??= at;
    const details: AlertDetails = { afterS };
    if (latest) details.lastSeenAt = new Date(latest.ts).toISOString();
    const cut = step.lastEventAt('POWER_CUT');
    const restored = step.lastEventAt('POWER_RESTORED');
    if (
      cut !== undefined &&
      cut >= lastReceivedAt - POWER_CUT_CAUSE_MS &&
      !(restored !== undefined && restored >= cut)
    )
      details.cause = 'power_cut';
    return { observations: [{ key: '', active: true, at, details }] };
  },
  onTelemetry({ memory }, { record }): KindResult | undefined {
    const m = memory as Memory;
    if (m.offlineAt === undefined) return undefined;
    // A record from the device's buffer may be older than the silence's start; the alert ends no
    // earlier than it began.
    const at = Math.max(record.ts, m.offlineAt);
    delete m.offlineAt;
    return { observations: [{ key: '', active: false, at }] };
  },
};
