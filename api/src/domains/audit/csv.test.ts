// The CSV writer on its own: what a spreadsheet would run is defused, and whatever the text,
// csv-parse reads back exactly the cells that were written (plus the apostrophe where one went).
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../../../test/fuzz.ts';
import { AUDIT_CSV_COLUMNS, actorCell, auditCsv } from './csv.ts';
import type { AuditEntry } from './repository.ts';

function entry(over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: '1',
    at: '2026-12-01T10:00:00.123456Z',
    actor: { kind: 'user', id: null, label: 'user', email: 'aino@example.test', name: 'Aino' },
    address: '203.0.113.7',
    entity: 'place',
    entityId: 'f0e1d2c3-0000-4000-8000-000000000001',
    action: 'update',
    before: { name: 'Old' },
    after: { name: 'New' },
    ...over,
  };
}

const read = (text: string) => parse(text, { bom: true, columns: true }) as Record<string, string>[];

/** OWASP's list, and the full-width forms some spreadsheets (Apple Numbers) treat alike. */
const FORMULA_START = ['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20'];
const defused = (cell: string) => (FORMULA_START.some((c) => cell.startsWith(c)) ? `'${cell}` : cell);

describe('audit CSV', () => {
  it('has a byte order mark, a header row and CRLF line ends', () => {
    const text = auditCsv([entry()], true) + auditCsv([entry({ id: '2' })], false);
    expect(text.startsWith(`\uFEFF${AUDIT_CSV_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(text.split('\r\n')).toHaveLength(4);
    expect(text.indexOf('\uFEFF', 1)).toBe(-1); // later chunks add neither a mark nor a header
    expect(read(text)).toEqual([
      {
        at: '2026-12-01T10:00:00.123456Z',
        actor_kind: 'user',
        actor: 'aino@example.test',
        address: '203.0.113.7',
        entity: 'place',
        entity_id: 'f0e1d2c3-0000-4000-8000-000000000001',
        action: 'update',
        before: '{"name":"Old"}',
        after: '{"name":"New"}',
      },
      expect.objectContaining({ before: '{"name":"Old"}' }),
    ]);
  });

  it('puts an apostrophe before every cell a spreadsheet would take for a formula', () => {
    for (const start of FORMULA_START) {
      const label = `${start}cmd|' /C calc'!A0`;
      const [row] = read(auditCsv([entry({ actor: { ...entry().actor, email: null, label } })], true));
      expect(row?.actor, JSON.stringify(start)).toBe(`'${label}`);
    }
    // Not at the start, or a harmless first character: as it is.
    const [plain] = read(auditCsv([entry({ entityId: 'a=1+2', address: ' =1' })], true));
    expect(plain).toMatchObject({ entity_id: 'a=1+2', address: ' =1' });
  });

  it('keeps a line break, a comma and quotes inside one cell', () => {
    const label = 'line one\nline two, "quoted"\r\nthree';
    const text = auditCsv([entry({ actor: { ...entry().actor, email: null, label } })], true);
    expect(text).toContain('"line one\nline two, ""quoted""\r\nthree"');
    expect(read(text).map((r) => r.actor)).toEqual([label]);
  });

  it('names the actor by email, else by label and id', () => {
    expect(actorCell(entry().actor)).toBe('aino@example.test');
    expect(actorCell({ kind: 'cli', id: null, label: 'cli:root@vm', email: null, name: null })).toBe(
      'cli:root@vm',
    );
    expect(
      actorCell({
        kind: 'operator',
        id: '00000000-0000-4000-8000-000000000001',
        label: 'platform operator',
        email: null,
        name: null,
      }),
    ).toBe('platform operator 00000000-0000-4000-8000-000000000001');
  });

  it('reads back whatever the text, cell for cell', () => {
    const { seed, runs } = fuzzParameters('audit CSV round trip', 300);
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.string({
        unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', ',', '"', "'", ' ', 'a', '\uFF1D'),
        maxLength: 12,
      }),
    );
    const json = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
    const anEntry = fc.record({
      label: text,
      email: fc.option(text, { nil: null }),
      address: fc.option(text, { nil: null }),
      entityId: text,
      before: fc.option(json, { nil: null }),
      after: fc.option(json, { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(anEntry, { minLength: 1, maxLength: 5 }), (specs) => {
        const entries = specs.map((s) =>
          entry({
            actor: { kind: 'cli', id: null, label: s.label, email: s.email, name: null },
            address: s.address,
            entityId: s.entityId,
            before: s.before,
            after: s.after,
          }),
        );
        const rows = read(auditCsv(entries, true));
        expect(rows).toHaveLength(entries.length);
        for (const [i, row] of rows.entries()) {
          const e = entries[i] as AuditEntry;
          expect(row.actor).toBe(defused(actorCell(e.actor)));
          expect(row.address).toBe(defused(e.address ?? ''));
          expect(row.entity_id).toBe(defused(e.entityId));
          // JSON text starts with { (or is empty): never touched, read back as written.
          expect(row.before).toBe(e.before === null ? '' : JSON.stringify(e.before));
          expect(row.after).toBe(e.after === null ? '' : JSON.stringify(e.after));
        }
      }),
      { seed, numRuns: runs },
    );
  });
});
