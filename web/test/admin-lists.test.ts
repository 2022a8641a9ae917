// Sorting and paging of the management tables, and the department tree.
import { describe, expect, it } from 'vitest';
import { parentChoices, subtree, treeRows } from '../src/lib/admin/departments.ts';
import {
  compareValues,
  listQuery,
  listState,
  pageRows,
  pageSummary,
  toggleSort,
} from '../src/lib/admin/list-query.ts';
import type { Department } from '../src/lib/api/management.ts';

describe('list state', () => {
  it('sorts by a column, flips on a second click, and goes back to the first page', () => {
    let s = { ...listState<'name' | 'email'>('name'), offset: 40 };
    s = toggleSort(s, 'name');
    expect([s.sort, s.order, s.offset]).toEqual(['name', 'desc', 0]);
    s = toggleSort(s, 'email');
    expect([s.sort, s.order]).toEqual(['email', 'asc']);
  });

  it('sends sort and order only to endpoints that sort', () => {
    const s = { ...listState('name', 20), offset: 40, order: 'desc' as const };
    expect(listQuery(s, true)).toEqual({ limit: 20, offset: 40, sort: 'name', order: 'desc' });
    expect(listQuery(s, false)).toEqual({ limit: 20, offset: 40 });
  });

  it('summarises a page', () => {
    expect(pageSummary({ total: 57, limit: 20, offset: 20 }, 20)).toEqual({
      from: 21,
      to: 40,
      total: 57,
      page: 2,
      pages: 3,
      previous: 0,
      next: 40,
    });
    expect(pageSummary({ total: 57, limit: 20, offset: 40 }, 17).next).toBeUndefined();
    expect(pageSummary({ total: 0, limit: 20, offset: 0 }, 0)).toMatchObject({ from: 0, to: 0, pages: 1 });
  });

  it('orders values: text by collation and numbers, empty ones last', () => {
    expect(['b', 'A', null, 'a2', 'a10', ''].sort(compareValues)).toEqual(['A', 'a2', 'a10', 'b', null, '']);
  });

  it('pages a whole list, keeping empty values last in either order', () => {
    const rows = ['d', 'b', null, 'a', 'c'].map((v, i) => ({ i, v }));
    const asc = pageRows(rows, { sort: 'v', order: 'asc', limit: 2, offset: 0 }, (r) => r.v);
    expect(asc.items.map((r) => r.v)).toEqual(['a', 'b']);
    expect(asc.info).toEqual({ total: 5, limit: 2, offset: 0 });
    const desc = pageRows(rows, { sort: 'v', order: 'desc', limit: 10, offset: 0 }, (r) => r.v);
    expect(desc.items.map((r) => r.v)).toEqual(['d', 'c', 'b', 'a', null]);
    // An offset past the end (rows went away) shows the last page.
    expect(
      pageRows(rows, { sort: undefined, order: 'asc', limit: 2, offset: 8 }, (r) => r.v).info.offset,
    ).toBe(4);
    expect(pageRows([], { sort: undefined, order: 'asc', limit: 2, offset: 8 }, () => null).info.offset).toBe(
      0,
    );
  });
});

describe('the department tree', () => {
  const d = (id: string, parentId: string | null, path: string[], users: number): Department => ({
    id,
    parentId,
    name: path[path.length - 1] as string,
    path,
    users,
    createdAt: '2026-01-01T00:00:00Z',
  });
  const tree = [
    d('p', null, ['Production'], 2),
    d('l', 'p', ['Production', 'Lighting'], 3),
    d('r', 'l', ['Production', 'Lighting', 'Rigging'], 1),
    d('s', 'p', ['Production', 'Sound'], 0),
    d('o', null, ['Office'], 4),
  ];

  it('indents by depth, labels by path and counts members below', () => {
    const rows = treeRows(tree);
    expect(rows.map((r) => [r.department.id, r.depth, r.label, r.totalUsers, r.children])).toEqual([
      ['p', 0, 'Production', 6, 2],
      ['l', 1, 'Production › Lighting', 4, 1],
      ['r', 2, 'Production › Lighting › Rigging', 1, 0],
      ['s', 1, 'Production › Sound', 0, 0],
      ['o', 0, 'Office', 4, 0],
    ]);
  });

  it('offers every other department as a parent, its own subtree included (the API refuses it)', () => {
    expect(parentChoices(tree, 'l').map((x) => x.id)).toEqual(['p', 'r', 's', 'o']);
    expect([...subtree(tree, 'p')].sort()).toEqual(['l', 'p', 'r', 's']);
    expect([...subtree(tree, 'o')]).toEqual(['o']);
  });
});
