// Costs in the words the fleet's owners read: the categories of other costs, where a fuel entry
// came from, the three parts of a total and the colours the charts draw them in. The `Record`s
// make a value the API adds fail the console's type check until it has words here.
import type { CostCategory, FuelEntry } from '@fleet/api/contract';

export const CATEGORY_LABELS: Record<CostCategory, string> = {
  toll: 'Toll',
  insurance: 'Insurance',
  tyres: 'Tyres',
  lease: 'Lease',
  parking: 'Parking',
  fine: 'Fine',
  registration: 'Registration',
  tax: 'Tax',
  cleaning: 'Cleaning',
  repair: 'Repair (outside the workshop)',
  other: 'Other',
};

export const FUEL_SOURCE_LABELS: Record<FuelEntry['source'], string> = {
  manual: 'By hand',
  csv: 'Fuel card file',
  refuel_alert: 'Confirmed refuel',
};

/** The parts of a total, bottom of a stacked bar first. */
export const COST_PARTS = ['fuel', 'maintenance', 'other'] as const;
export type CostPart = (typeof COST_PARTS)[number];

export const PART_LABELS: Record<CostPart, string> = {
  fuel: 'Fuel',
  maintenance: 'Maintenance',
  other: 'Other costs',
};

/** Told apart by lightness as well as hue, so they read in grey and to most colour-blind eyes. */
export const PART_COLORS: Record<CostPart, string> = {
  fuel: '#f59e0b',
  maintenance: '#1d4ed8',
  other: '#64748b',
};
