// Equipment items as the asset pages show them: the list's own columns (category, serial number,
// replacement value), the facts of the detail page, and the form of every field
// POST /api/v1/equipment takes. Values are in the organisation's currency, which each item
// answers with.
import type { EquipmentItem, NewEquipmentItem } from '@fleet/api/contract';
import { EQUIPMENT_STATUSES, ASSET_LIMITS as L, STATUS_LABELS } from './catalogue.ts';
import {
  blank,
  type Fields,
  oneOf,
  optionalNumber,
  optionalText,
  reference,
  requiredText,
} from './fields.ts';
import { type AssetKind, formatMoney, type KindColumn, orDash, sortsOf } from './kind.ts';

/** Every field of a new item, none left out: what the form edits. */
export type EquipmentDraft = { [K in keyof NewEquipmentItem]-?: Exclude<NewEquipmentItem[K], undefined> };

export const EQUIPMENT_FIELDS: Fields<EquipmentDraft> = {
  name: requiredText({ label: 'Name', what: 'a name', max: L.name }),
  category: requiredText({
    label: 'Category',
    what: 'a category',
    max: L.category,
    hint: 'e.g. camera kit, generator, trailer',
    // As the API stores it: inner spaces collapsed.
    normalise: (t) => t.replace(/\s+/g, ' '),
  }),
  serialNumber: optionalText({
    label: 'Serial number',
    what: 'a serial number',
    max: L.serialNumber,
    hint: 'unique within its category',
  }),
  replacementValue: optionalNumber({
    label: 'Replacement value',
    unit: 'currency',
    what: 'a replacement value',
    kind: 'an amount of money',
    min: 0,
    max: L.maxMoney,
    decimals: 2,
  }),
  offlineAfterS: optionalNumber({
    label: 'Offline after',
    unit: 's',
    hint: "no data for this long is offline; empty: the offline rule's own time",
    what: 'an offline time',
    kind: 'a number of seconds',
    integer: true,
    min: L.minOfflineAfterS,
    max: L.maxOfflineAfterS,
    rangeProblem: `an offline time is ${L.minOfflineAfterS}..${L.maxOfflineAfterS.toLocaleString('en-GB')} s (1 min to 30 days)`,
  }),
  departmentId: reference({ label: 'Department', source: 'departments', none: 'None' }),
  homePlaceId: reference({ label: 'Home place', source: 'places', none: 'None' }),
  status: oneOf({ label: 'Status', options: EQUIPMENT_STATUSES, labels: STATUS_LABELS }),
  notes: optionalText({ label: 'Notes', what: 'notes', max: L.notes, multiline: true }),
};

export const EMPTY_EQUIPMENT: EquipmentDraft = blank(EQUIPMENT_FIELDS, {
  name: '',
  category: '',
  status: 'active',
});

const value = (e: Pick<EquipmentItem, 'replacementValue' | 'currency'>) =>
  e.replacementValue === null ? '' : formatMoney(e.replacementValue, e.currency);

const EQUIPMENT_COLUMNS: KindColumn<EquipmentItem>[] = [
  { key: 'category', label: 'Category', sortable: true, text: (e) => e.category },
  { key: 'serialNumber', label: 'Serial number', sortable: true, text: (e) => e.serialNumber ?? '' },
  { key: 'replacementValue', label: 'Value', sortable: true, align: 'end', text: value },
];

export const EQUIPMENT: AssetKind<EquipmentItem, EquipmentDraft> = {
  kind: 'equipment',
  noun: 'equipment item',
  title: 'Equipment',
  path: '/equipment',
  collection: 'equipment',
  statuses: EQUIPMENT_STATUSES,
  columns: EQUIPMENT_COLUMNS,
  sorts: sortsOf(EQUIPMENT_COLUMNS),
  facts: (e) => [
    ['Category', e.category],
    ['Serial number', orDash(e.serialNumber)],
    ['Replacement value', orDash(value(e))],
  ],
  fields: EQUIPMENT_FIELDS,
  empty: EMPTY_EQUIPMENT,
  conflict: 'serialNumber',
  list: (api, query) => api.call('GET /api/v1/equipment', { query }),
  get: (api, id) => api.call('GET /api/v1/equipment/{id}', { params: { id } }),
  create: (api, body) => api.call('POST /api/v1/equipment', { body }),
  update: (api, id, body) => api.call('PATCH /api/v1/equipment/{id}', { params: { id }, body }),
  retire: (api, id) => api.call('DELETE /api/v1/equipment/{id}', { params: { id } }),
};
