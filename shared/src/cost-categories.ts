// What an asset's or a department's other costs are (issue 13), without zod: the API's schemas
// and the console's forms (which must not bundle zod) read this one list.
export const COST_CATEGORIES = [
  'toll',
  'insurance',
  'tyres',
  'lease',
  'parking',
  'fine',
  'registration',
  'tax',
  'cleaning',
  'repair',
  'other',
] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];
