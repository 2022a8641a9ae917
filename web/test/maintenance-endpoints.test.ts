// What the maintenance pages hold of the API beyond the contract's types (lib/api/maintenance.ts,
// lib/maintenance/labels.ts): the constants the forms check before sending are the API's, every
// level, state, priority and source has words, and every route the client calls is one the
// contract lists (so api/test/contract.test.ts checks it against the real route).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OPEN_WORK_ORDER_STATES } from '@fleet/shared/maintenance';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { consoleEndpoints } from '../../api/src/contract.ts';
import * as maintenance from '../../api/src/domains/maintenance/schemas.ts';
import * as workOrders from '../../api/src/domains/work-orders/schemas.ts';
import {
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_TYPES,
  LINE_KINDS,
  MAINTENANCE_LIMITS,
  UNFINISHED_STATES,
} from '../src/lib/api/maintenance.ts';
import {
  LEVEL_LABELS,
  LEVELS_BY_URGENCY,
  PRIORITY_LABELS,
  SERVICE_LEVELS,
  SOURCE_LABELS,
  STATE_LABELS,
  WORK_ORDER_PRIORITIES,
  WORK_ORDER_SOURCES,
  WORK_ORDER_STATES,
} from '../src/lib/maintenance/labels.ts';

/** The longest a string or list schema allows: its max_length check, under optional, nullable and default. */
function maxOf(schema: z.ZodType | undefined): number | undefined {
  const def = (
    schema as unknown as { def?: { innerType?: z.ZodType; checks?: { _zod: { def: unknown } }[] } }
  )?.def;
  if (def?.innerType) return maxOf(def.innerType);
  for (const check of def?.checks ?? []) {
    const d = check._zod.def as { check?: string; maximum?: number };
    if (d.check === 'max_length') return d.maximum;
  }
  return undefined;
}
const shape = (schema: z.ZodType) => (schema as unknown as z.ZodObject).shape as Record<string, z.ZodType>;

describe('the constants the forms check', () => {
  it('are the API’s', () => {
    expect(ATTACHMENT_TYPES).toEqual(workOrders.ATTACHMENT_TYPES);
    expect(ATTACHMENT_MAX_BYTES).toBe(workOrders.ATTACHMENT_MAX_BYTES);
    expect(LINE_KINDS).toEqual(workOrders.LINE_KINDS);
    expect(UNFINISHED_STATES).toEqual(OPEN_WORK_ORDER_STATES);
    const plan = shape(maintenance.newServicePlanSchema);
    const line = shape(workOrders.newLineSchema);
    const wo = shape(workOrders.newWorkOrderSchema);
    expect({
      planName: maxOf(plan.name),
      planDescription: maxOf(plan.description),
      planItems: maxOf(plan.items),
      title: maxOf(wo.title),
      description: maxOf(wo.description),
      lineDescription: maxOf(line.description),
      partNumber: maxOf(line.partNumber),
      note: maxOf(shape(workOrders.newNoteSchema).body),
      readingNote: maxOf(shape(maintenance.newMeterReadingSchema).note),
      fileName: maxOf(shape(workOrders.newAttachmentSchema).fileName),
    }).toEqual({
      planName: MAINTENANCE_LIMITS.planName,
      planDescription: MAINTENANCE_LIMITS.planDescription,
      planItems: MAINTENANCE_LIMITS.planItems,
      title: MAINTENANCE_LIMITS.title,
      description: MAINTENANCE_LIMITS.description,
      lineDescription: MAINTENANCE_LIMITS.lineDescription,
      partNumber: MAINTENANCE_LIMITS.partNumber,
      note: MAINTENANCE_LIMITS.note,
      readingNote: MAINTENANCE_LIMITS.readingNote,
      fileName: MAINTENANCE_LIMITS.fileName,
    });
  });
});

describe('the words', () => {
  it('cover every level, state, priority and source, levels most urgent first', () => {
    expect(Object.keys(LEVEL_LABELS)).toEqual([...SERVICE_LEVELS]);
    expect([...LEVELS_BY_URGENCY].reverse()).toEqual([...SERVICE_LEVELS]);
    expect(Object.keys(STATE_LABELS)).toEqual([...WORK_ORDER_STATES]);
    expect(Object.keys(PRIORITY_LABELS)).toEqual([...WORK_ORDER_PRIORITIES]);
    expect(Object.keys(SOURCE_LABELS)).toEqual([...WORK_ORDER_SOURCES]);
  });
});

describe('the client', () => {
  it('calls only routes the contract lists', () => {
    const source = readFileSync(resolve(import.meta.dirname, '../src/lib/api/maintenance.ts'), 'utf8');
    const called = [...source.matchAll(/'((?:GET|POST|PATCH|DELETE) \/api\/v1\/[^']+)'/g)].map((m) => m[1]);
    expect(called.length).toBeGreaterThan(20);
    for (const route of called) expect(Object.keys(consoleEndpoints), route).toContain(route);
  });
});
