// What a place is for: depots, client and job sites ... Rules, jobs and reports filter by it.
// No imports, so the console can load it as it is.
export const PLACE_CATEGORIES = [
  'depot',
  'client_site',
  'job_site',
  'workshop',
  'fuel_station',
  'parking',
  'restricted_area',
  'other',
] as const;
export type PlaceCategory = (typeof PLACE_CATEGORIES)[number];
