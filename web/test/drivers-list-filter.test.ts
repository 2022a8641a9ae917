// The drivers list's view in the address bar and its query to the API
// (lib/drivers/list-filter.ts): defaults are left out, what the API would refuse from a
// hand-edited address is dropped, and every query passes the API's own schema.
import { describe, expect, it } from 'vitest';
import { driverQuerySchema } from '../../api/src/domains/drivers/schemas.ts';
import { driverQuery, isFiltered, viewFromQuery, viewToQuery } from '../src/lib/drivers/list-filter.ts';

const DEPARTMENT = '0b6f6b43-3c0e-4f5a-9d3d-2a9f5f0c1e77';
const params = (text: string) => new URLSearchParams(text);

describe('the address bar', () => {
  it('is empty for the default view, which lists everyone by name', () => {
    const view = viewFromQuery(params(''));
    expect(view).toEqual({
      filter: { departmentId: '', status: '', q: '', renewal: false },
      list: { sort: 'name', order: 'asc', limit: 50, offset: 0 },
    });
    expect(viewToQuery(view).toString()).toBe('');
    expect(isFiltered(view.filter)).toBe(false);
  });

  it('round-trips filters, sort and page', () => {
    const text = `department=${DEPARTMENT}&status=inactive&q=Virtanen&renewal=1&sort=licenceExpiry&order=desc&offset=100`;
    const view = viewFromQuery(params(text));
    expect(view.filter).toEqual({
      departmentId: DEPARTMENT,
      status: 'inactive',
      q: 'Virtanen',
      renewal: true,
    });
    expect(view.list).toMatchObject({ sort: 'licenceExpiry', order: 'desc', offset: 100 });
    expect(viewToQuery(view).toString()).toBe(text);
    expect(isFiltered(view.filter)).toBe(true);
  });

  it('drops what the API would refuse', () => {
    const view = viewFromQuery(
      params(`department=nope&status=retired&sort=phone&order=up&offset=-5&q=${'x'.repeat(150)}`),
    );
    expect(view.filter).toMatchObject({ departmentId: '', status: '', q: 'x'.repeat(100) });
    expect(view.list).toMatchObject({ sort: 'name', order: 'asc', offset: 0 });
    expect(viewFromQuery(params('offset=2.5')).list.offset).toBe(0);
    expect(viewFromQuery(params('offset=99999999999')).list.offset).toBe(10_000_000);
  });
});

describe('the API query', () => {
  it('sends the filters, sort and page, and the renewal window as licenceExpiresBefore', () => {
    const view = viewFromQuery(
      params(`department=${DEPARTMENT}&status=active&q=%20E-10%20&renewal=1&sort=employeeNumber&offset=50`),
    );
    const query = driverQuery(view, '2026-11-21');
    expect(query).toEqual({
      limit: 50,
      offset: 50,
      sort: 'employeeNumber',
      order: 'asc',
      departmentId: DEPARTMENT,
      status: 'active',
      q: 'E-10',
      licenceExpiresBefore: '2026-12-22',
    });
    expect(driverQuerySchema.safeParse(query).success).toBe(true);
  });

  it('passes the API’s schema for the default view too', () => {
    const query = driverQuery(viewFromQuery(params('')), '2026-11-21');
    expect(query).toEqual({ limit: 50, offset: 0, sort: 'name', order: 'asc' });
    expect(driverQuerySchema.safeParse(query).success).toBe(true);
  });
});
