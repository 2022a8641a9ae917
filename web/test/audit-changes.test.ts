// An audit entry's change as rows (lib/audit/changes.ts): a create lists what was set, an update
// each changed field before and after, a delete what was there; secrets and erased values are
// shown as the log wrote them; times in the organisation's zone; and who made the change.
import type { AuditEntry } from '@fleet/api/contract';
import { describe, expect, it } from 'vitest';
import { actorLines, changeRows, fieldLabel, valueText } from '../src/lib/audit/changes.ts';

const HELSINKI = 'Europe/Helsinki';

describe('rows of a change', () => {
  it('lists what a create set, without bookkeeping or empty fields', () => {
    const rows = changeRows(
      {
        action: 'create',
        before: null,
        after: {
          id: '6f1c1a52',
          org_id: 'a',
          name: 'Aino Virtanen',
          phone: '+358401234567',
          email: null,
          licence_classes: [],
          created_at: '2026-11-21T06:00:00.123456+00:00',
          updated_at: '2026-11-21T06:00:00.123456+00:00',
        },
      },
      HELSINKI,
    );
    expect(rows).toEqual([
      { field: 'name', before: undefined, after: 'Aino Virtanen' },
      { field: 'phone', before: undefined, after: '+358401234567' },
    ]);
  });

  it('lists each changed field of an update, before and after, a cleared one as a dash', () => {
    const rows = changeRows(
      {
        action: 'update',
        before: { phone: '+358401234567', licence_classes: ['B'], status: 'active', notes: 'night shifts' },
        after: { phone: '+358445550101', licence_classes: ['B', 'CE'], status: 'inactive', notes: null },
      },
      HELSINKI,
    );
    expect(rows).toEqual([
      { field: 'phone', before: '+358401234567', after: '+358445550101' },
      { field: 'licence classes', before: 'B', after: 'B, CE' },
      { field: 'status', before: 'active', after: 'inactive' },
      { field: 'notes', before: 'night shifts', after: '—' },
    ]);
  });

  it('lists what a delete removed', () => {
    expect(
      changeRows({ action: 'delete', before: { id: 'x', name: 'Old van' }, after: null }, HELSINKI),
    ).toEqual([{ field: 'name', before: 'Old van', after: undefined }]);
  });

  it('shows "[secret]" and "[erased]" as the log wrote them', () => {
    const rows = changeRows(
      {
        action: 'update',
        before: { password_hash: '[secret]', name: '[erased]' },
        after: { password_hash: '[secret]', name: 'Erased driver 6f1c1a52' },
      },
      HELSINKI,
    );
    expect(rows).toEqual([
      { field: 'password hash', before: '[secret]', after: '[secret]' },
      { field: 'name', before: '[erased]', after: 'Erased driver 6f1c1a52' },
    ]);
  });

  it('has no rows for an entry without fields', () => {
    expect(changeRows({ action: 'update', before: {}, after: {} }, HELSINKI)).toEqual([]);
  });
});

describe('values', () => {
  it('reads as people read them', () => {
    expect(valueText('2026-11-21T06:00:00.123456+00:00', HELSINKI)).toBe('21 Nov 2026, 08:00:00');
    expect(valueText('2026-11-21', HELSINKI)).toBe('2026-11-21');
    expect(valueText(true, HELSINKI)).toBe('yes');
    expect(valueText(false, HELSINKI)).toBe('no');
    expect(valueText(42.5, HELSINKI)).toBe('42.5');
    expect(valueText('', HELSINKI)).toBe('""');
    expect(valueText(null, HELSINKI)).toBe('—');
    expect(valueText({ mon: [{ from: '08:00', to: '17:00' }] }, HELSINKI)).toBe(
      '{"mon":[{"from":"08:00","to":"17:00"}]}',
    );
    expect(fieldLabel('department_scope')).toBe('department scope');
  });
});

describe('who', () => {
  const actor = (patch: Partial<AuditEntry['actor']>): AuditEntry['actor'] => ({
    kind: 'user',
    id: '3d1f2e4a-5b6c-4d7e-8f90-a1b2c3d4e5f6',
    label: 'user',
    email: 'anna@example.fi',
    name: 'Anna Lind',
    ...patch,
  });

  it('is a user by name and email, the CLI and the platform by what they were made as', () => {
    expect(actorLines(actor({}))).toEqual({ who: 'Anna Lind', detail: 'anna@example.fi' });
    expect(actorLines(actor({ name: null }))).toEqual({ who: 'anna@example.fi', detail: undefined });
    expect(
      actorLines(actor({ kind: 'cli', id: null, label: 'cli:ops@host', email: null, name: null })),
    ).toEqual({
      who: 'cli:ops@host',
      detail: undefined,
    });
    expect(
      actorLines(actor({ kind: 'system', id: null, label: 'system', email: null, name: null })).who,
    ).toBe('system');
  });
});
