// Utilisation grouped by department, category and asset, and which assets sat idle: the
// arithmetic alone (the routes are tested end to end in reports.test.ts).
import { describe, expect, it } from 'vitest';
import type { SummaryAsset } from './summary.ts';
import { utilisationOf } from './utilisation.ts';

const asset = (id: string, departmentId: string | null, category: string | null = null): SummaryAsset => ({
  id,
  kind: category === null ? 'vehicle' : 'equipment',
  name: `Asset ${id}`,
  plate: null,
  category,
  departmentId,
  departmentName: departmentId === null ? null : `Dept ${departmentId}`,
});
const H = 3600;
// 40 working hours each; in use 20 h, 2 h (idle: 5%), 0 h (idle), 50 h (capped at 1), 4 h (exactly 10%: not idle).
const uses = [
  { asset: asset('a', 'd1', 'Lighting'), inUseS: 20 * H, workingS: 40 * H },
  { asset: asset('b', 'd1', 'Lighting'), inUseS: 2 * H, workingS: 40 * H },
  { asset: asset('c', 'd2', null), inUseS: 0, workingS: 40 * H },
  { asset: asset('d', null, 'Generators'), inUseS: 50 * H, workingS: 40 * H },
  { asset: asset('e', 'd2', 'Generators'), inUseS: 4 * H, workingS: 40 * H },
];

describe('utilisation', () => {
  it('groups by department, the assets of none last, each group in-use over working time', () => {
    const { rows, totals } = utilisationOf('department', uses);
    expect(rows.map((r) => [r.key, r.name, r.assets, r.utilisation, r.idleAssets])).toEqual([
      ['d1', 'Dept d1', 2, 0.275, 1],
      ['d2', 'Dept d2', 2, 0.05, 1],
      [null, 'No department', 1, 1, 0],
    ]);
    expect(totals).toEqual({
      assets: 5,
      inUseS: 76 * H,
      workingS: 200 * H,
      utilisation: 0.38,
      idleAssets: 2,
    });
  });

  it('groups by category (vehicles under no category) and per asset', () => {
    expect(utilisationOf('category', uses).rows.map((r) => [r.key, r.name, r.assets])).toEqual([
      ['Generators', 'Generators', 2],
      ['Lighting', 'Lighting', 2],
      [null, 'No category', 1],
    ]);
    const perAsset = utilisationOf('asset', uses).rows;
    expect(perAsset.map((r) => [r.key, r.utilisation])).toEqual([
      ['a', 0.5],
      ['b', 0.05],
      ['c', 0],
      ['d', 1],
      ['e', 0.1],
    ]);
  });

  it('names the idle assets, lowest first; no working time makes nobody idle', () => {
    expect(utilisationOf('department', uses).idle.map((i) => [i.asset.id, i.utilisation, i.inUseS])).toEqual([
      ['c', 0, 0],
      ['b', 0.05, 2 * H],
    ]);
    const weekend = utilisationOf(
      'asset',
      uses.map((u) => ({ ...u, workingS: 0 })),
    );
    expect(weekend.idle).toEqual([]);
    expect(weekend.totals.utilisation).toBeNull();
  });
});
