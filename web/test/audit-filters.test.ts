// The audit log page's filters (lib/audit/filters.ts): the names are the log's own (every
// entity a trigger writes, the actor kinds and actions of the API), the address bar round-trips
// and drops what the API would refuse, and the query, with times typed by the organisation's
// clock, passes the API's own schema.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AUDIT_ACTOR_KINDS } from '@fleet/shared/db/audit';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS as API_ACTIONS, auditQuerySchema } from '../../api/src/domains/audit/schemas.ts';
import {
  ACTOR_KINDS,
  AUDIT_ACTIONS,
  AUDIT_ENTITIES,
  auditQuery,
  blankAuditFilter,
  entityLabel,
  filterFromQuery,
  filterToQuery,
  isFiltered,
} from '../src/lib/audit/filters.ts';

const USER = '3d1f2e4a-5b6c-4d7e-8f90-a1b2c3d4e5f6';
const HELSINKI = 'Europe/Helsinki';

describe('the log’s names', () => {
  it('has a label for every entity a trigger writes', () => {
    const migrations = readFileSync(
      resolve(import.meta.dirname, '../../shared/src/db/migrations.ts'),
      'utf8',
    );
    const written = [...migrations.matchAll(/fleet_audit\('([a-z_]+)'/g)].map((m) => m[1]);
    expect(written.length).toBeGreaterThan(10);
    expect([...new Set(written)].sort()).toEqual(Object.keys(AUDIT_ENTITIES).sort());
  });

  it('are the API’s actor kinds and actions', () => {
    expect(ACTOR_KINDS).toEqual(AUDIT_ACTOR_KINDS);
    expect(AUDIT_ACTIONS).toEqual(API_ACTIONS);
  });

  it('reads an entity it does not know by its name', () => {
    expect(entityLabel('driver_assignment')).toBe('Driver assignment');
    expect(entityLabel('tyre_change')).toBe('tyre change');
  });
});

describe('the address bar', () => {
  it('is empty with no filter', () => {
    expect(filterToQuery(blankAuditFilter()).toString()).toBe('');
    expect(isFiltered(blankAuditFilter())).toBe(false);
  });

  it('round-trips every filter', () => {
    const text = `entity=driver&entityId=abc&actorId=${USER}&actorKind=user&action=update&from=2026-11-21T08%3A00&to=2026-11-22T08%3A00`;
    const filter = filterFromQuery(new URLSearchParams(text));
    expect(filter).toEqual({
      entity: 'driver',
      entityId: 'abc',
      actorId: USER,
      actorKind: 'user',
      action: 'update',
      from: '2026-11-21T08:00',
      to: '2026-11-22T08:00',
    });
    expect(filterToQuery(filter).toString()).toBe(text);
    expect(isFiltered(filter)).toBe(true);
  });

  it('drops what the API would refuse', () => {
    const filter = filterFromQuery(
      new URLSearchParams(
        'entity=Driver;drop&entityId=abc&actorId=me&actorKind=robot&action=read&from=monday&to=2026-02-30',
      ),
    );
    expect(filter).toEqual(blankAuditFilter());
    // An id without its entity has no index on the API side: it is not kept alone.
    expect(filterToQuery({ ...blankAuditFilter(), entityId: 'abc' }).toString()).toBe('');
  });
});

describe('the API query', () => {
  it('sends the times as instants of the organisation’s clock, and passes the API’s schema', () => {
    const filter = {
      ...blankAuditFilter(),
      entity: 'driver',
      entityId: '6f1c1a52-8a4e-4a57-9a43-3f0f3c2b1a10',
      action: 'update' as const,
      actorKind: 'user' as const,
      actorId: USER,
      from: '2026-11-21T08:00',
      to: '2026-11-22T00:00',
    };
    const q = auditQuery(filter, HELSINKI);
    expect(q).toEqual({
      ok: true,
      query: {
        entity: 'driver',
        entityId: '6f1c1a52-8a4e-4a57-9a43-3f0f3c2b1a10',
        actorId: USER,
        actorKind: 'user',
        action: 'update',
        from: '2026-11-21T06:00:00.000Z',
        to: '2026-11-21T22:00:00.000Z',
      },
    });
    if (!q.ok) throw new Error('a query');
    expect(auditQuerySchema.safeParse(q.query).success).toBe(true);
    expect(auditQuerySchema.safeParse({ ...q.query, format: 'csv' }).success).toBe(true);
  });

  it('says an end before the start at the end, without asking the API', () => {
    const filter = { ...blankAuditFilter(), from: '2026-11-22T08:00', to: '2026-11-22T08:00' };
    expect(auditQuery(filter, HELSINKI)).toEqual({
      ok: false,
      problems: { to: 'the end comes after the start' },
    });
  });

  it('is empty with no filter', () => {
    expect(auditQuery(blankAuditFilter(), HELSINKI)).toEqual({ ok: true, query: {} });
  });
});
