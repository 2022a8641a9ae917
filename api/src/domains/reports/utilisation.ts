// Utilisation as arithmetic: the fleet summary per asset (engine time, the organisation's
// working time) grouped by department, by equipment category or kept per asset, and the assets
// that sat idle (in use for less than IDLE_BELOW of their working time), lowest first. A group's
// utilisation is its in-use time over its working time, capped at 1 as each asset's is. Pure.
import type { z } from 'zod';
import { IDLE_BELOW, type UTILISATION_GROUPS, type utilisationReportSchema } from './schemas.ts';
import type { SummaryAsset } from './summary.ts';

type UtilisationReport = z.input<typeof utilisationReportSchema>;
export type UtilisationRow = UtilisationReport['rows'][number];
type Figures = UtilisationReport['totals'];
export type UtilisationGroup = (typeof UTILISATION_GROUPS)[number];

export interface AssetUse {
  asset: SummaryAsset;
  /** Engine on in the range, seconds. */
  inUseS: number;
  /** The organisation's working time in the range, seconds. */
  workingS: number;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const share = (inUseS: number, workingS: number) =>
  workingS > 0 ? round(Math.min(1, inUseS / workingS), 4) : null;
const idle = (u: AssetUse) => {
  const s = share(u.inUseS, u.workingS);
  return s !== null && s < IDLE_BELOW;
};

function figures(uses: readonly AssetUse[]): Figures {
  const inUseS = uses.reduce((s, u) => s + u.inUseS, 0);
  const workingS = uses.reduce((s, u) => s + u.workingS, 0);
  return {
    assets: uses.length,
    inUseS: round(inUseS, 1),
    workingS: round(workingS, 1),
    utilisation: share(inUseS, workingS),
    idleAssets: uses.filter(idle).length,
  };
}

function groupOf(by: UtilisationGroup, a: SummaryAsset): { key: string | null; name: string } {
  if (by === 'asset') return { key: a.id, name: a.name };
  if (by === 'category') return { key: a.category, name: a.category ?? 'No category' };
  return { key: a.departmentId, name: a.departmentName ?? 'No department' };
}

export function utilisationOf(
  by: UtilisationGroup,
  uses: readonly AssetUse[],
): { rows: UtilisationRow[]; totals: Figures; idle: UtilisationReport['idle'] } {
  const groups = new Map<string | null, { name: string; uses: AssetUse[] }>();
  for (const u of uses) {
    const { key, name } = groupOf(by, u.asset);
    const g = groups.get(key);
    if (g) g.uses.push(u);
    else groups.set(key, { name, uses: [u] });
  }
  const rows = [...groups].map(([key, g]) => ({ key, name: g.name, ...figures(g.uses) }));
  // By name, the assets of no department (or no category) last.
  rows.sort((a, b) =>
    (a.key === null) !== (b.key === null)
      ? a.key === null
        ? 1
        : -1
      : a.name.localeCompare(b.name, 'en') || String(a.key).localeCompare(String(b.key)),
  );
  const idleAssets = uses
    .filter(idle)
    .map((u) => ({
      asset: u.asset,
      inUseS: round(u.inUseS, 1),
      utilisation: share(u.inUseS, u.workingS) ?? 0,
    }))
    .sort((a, b) => a.utilisation - b.utilisation || a.asset.name.localeCompare(b.asset.name, 'en'));
  return { rows, totals: figures(uses), idle: idleAssets };
}
