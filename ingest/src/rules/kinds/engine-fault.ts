// Engine fault codes: a condition per diagnostic trouble code (key = the code) that holds while
// the ECU reports it. ECUs drop and re-report codes, so a code must stay gone clearDelayS
// before its alert resolves. A record without the field says nothing; an empty list clears
// every code. Memory: the codes the last reporting record held, and those gone since when (a
// gone code is reported clear on each record until its delay has run, so the records resolve
// it, not only the engine's tick). Titles carry the code's description from the DTC catalogue.
import { RULE_ASSET_KINDS } from '@fleet/shared';
import { describeDtc, dtcLabel } from '@fleet/shared/dtc';
import type { KindResult, Observation, RuleKindModule } from '../types.ts';

interface Memory {
  codes?: string[];
  gone?: Record<string, number>;
}

export const engineFault: RuleKindModule<'engine_fault'> = {
  kind: 'engine_fault',
  assetKinds: RULE_ASSET_KINDS.engine_fault,
  onTelemetry({ rule, memory }, { record }): KindResult | undefined {
    if (record.dtcCodes === undefined) return undefined;
    const { codePrefixes, ignoreCodes, clearDelayS } = rule.params;
    const m = memory as Memory;
    const codes = new Set(
      record.dtcCodes.filter(
        (code) =>
          !ignoreCodes.includes(code) &&
          (codePrefixes.length === 0 || codePrefixes.some((prefix) => code.startsWith(prefix))),
      ),
    );
    const clearMs = clearDelayS * 1000;
    const observations: Observation[] = [...codes].map((code) => {
      // "P0301 Cylinder 1 Misfire Detected" from the catalogue; unknown and manufacturer codes say so.
      const info = describeDtc(code);
      return {
        key: code,
        active: true,
        at: record.ts,
        clearMs,
        title: `Engine fault ${dtcLabel(code)}`,
        details: {
          code,
          description: info?.description ?? null,
          standard: info?.standard ?? 'invalid',
        },
      };
    });
    const gone: Record<string, number> = {};
    for (const code of m.codes ?? []) if (!codes.has(code)) gone[code] = record.ts;
    for (const [code, since] of Object.entries(m.gone ?? {})) if (!codes.has(code)) gone[code] ??= since;
    for (const [code, since] of Object.entries(gone)) {
      observations.push({ key: code, active: false, at: record.ts, clearMs });
      if (record.ts - since >= clearMs) delete gone[code];
    }
    if (codes.size > 0) m.codes = [...codes];
    else delete m.codes;
    if (Object.keys(gone).length > 0) m.gone = gone;
    else delete m.gone;
    return observations.length > 0 ? { observations } : undefined;
  },
};
