// Fuel entries as CSV, the way a fuel card's statement comes: one row per fill-up, the vehicle
// by its plate (or name, or id), the day (YYYY-MM-DD or D.M.YYYY) and optionally the time in
// the organisation's time zone, litres, the total, the odometer, whether it was a partial
// fill-up, the station. Every row is checked by the same rules as POST /api/v1/fuel-entries,
// and a file with any bad row imports nothing. An import adds entries (it matches none).
import { MONEY_PATTERN } from '@fleet/shared/money';
import { z } from 'zod';
import type { CsvColumn, ImportSpec } from '../../csv/import.ts';
import type { ReferenceName } from '../../csv/references.ts';
import { newFuelEntrySchema } from './schemas.ts';

export const ASSETS = 'assets' satisfies ReferenceName;

/** A fuel entry as the export writes it. */
export interface FuelCsvItem {
  assetLabel: string;
  day: string;
  time: string;
  litres: number;
  total: string;
  odometerKm: number | null;
  partial: boolean;
  station: string | null;
  note: string | null;
}

export const FUEL_COLUMNS: readonly CsvColumn<FuelCsvItem>[] = [
  { header: 'vehicle', field: 'assetId', kind: 'reference', table: ASSETS, write: (f) => f.assetLabel },
  { header: 'date', field: 'day', kind: 'date', write: (f) => f.day },
  { header: 'time', field: 'time', kind: 'text', write: (f) => f.time },
  { header: 'litres', field: 'litres', kind: 'number', write: (f) => String(f.litres) },
  { header: 'total', field: 'total', kind: 'text', write: (f) => f.total },
  {
    header: 'odometer_km',
    field: 'odometerKm',
    kind: 'number',
    write: (f) => (f.odometerKm === null ? '' : String(f.odometerKm)),
  },
  { header: 'partial', field: 'partial', kind: 'choice', write: (f) => (f.partial ? 'yes' : 'no') },
  { header: 'station', field: 'station', kind: 'text', write: (f) => f.station ?? '' },
  { header: 'note', field: 'note', kind: 'text', write: (f) => f.note ?? '' },
];

const YES = new Set(['yes', 'y', 'true', '1', 'kylla', 'kyllä', 'partial']);
const NO = new Set(['no', 'n', 'false', '0', 'ei', 'full']);

/** A row as the schema of one fill-up; the route turns day and time into an instant in the organisation's zone. */
export const fuelRowSchema = z
  .strictObject({
    assetId: z.uuid({ error: 'vehicle: a plate, name or id of one of your assets' }),
    day: z.iso.date({ error: 'date is YYYY-MM-DD or D.M.YYYY' }),
    time: z
      .string()
      .trim()
      .regex(/^$|^([01]?\d|2[0-3])[:.][0-5]\d$/, 'time is HH:MM (24 h), or blank')
      .optional(),
    litres: newFuelEntrySchema.shape.litres,
    total: z
      .string({ error: 'total is the amount paid, e.g. 54.90' })
      .trim()
      // Spreadsheets here write decimal commas ("54,90").
      .transform((t) => t.replace(/^(\d+),(\d{1,4})$/, '$1.$2'))
      .pipe(
        z
          .string()
          .regex(
            MONEY_PATTERN,
            'total is an amount of 0 or more such as 54.90: digits, at most one decimal separator',
          ),
      ),
    odometerKm: z.number({ error: 'odometer_km is a number' }).min(0).max(99_999_999).nullable().optional(),
    partial: z
      .string()
      .nullable()
      .optional()
      .transform((v, ctx) => {
        if (v === null || v === undefined || v === '') return false;
        if (YES.has(v)) return true;
        if (NO.has(v)) return false;
        ctx.addIssue({ code: 'custom', message: 'partial is yes or no' });
        return z.NEVER;
      }),
    station: z.string().trim().max(200).optional(),
    note: z.string().trim().max(1000).optional(),
  })
  .meta({ id: 'FuelCsvRow' });

export type FuelRow = z.output<typeof fuelRowSchema>;

export const FUEL_IMPORT: ImportSpec<FuelCsvItem, FuelRow, FuelRow> = {
  label: 'fuel entry',
  columns: FUEL_COLUMNS,
  required: ['vehicle', 'date', 'litres', 'total'],
  newSchema: fuelRowSchema,
  changesSchema: fuelRowSchema,
  key: { header: 'vehicle', of: () => undefined },
};
