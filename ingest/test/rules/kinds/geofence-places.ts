// The places the geofence tests drive through: a circle and a polygon east of central
// Helsinki on one road, and small ones that a sparse track jumps over.
import type { PlaceInfo } from '../../../src/rules/types.ts';
import { circlePlace, HELSINKI, offset, polygonPlace } from '../support.ts';

const east = (m: number, north = 0) => offset(HELSINKI, north, m);

/** Radius 250 m around 1 km east: fixes at 800..1200 m are inside. */
export const DEPOT = circlePlace('depot', 'Depot Pasila', east(1000), 250, { category: 'depot' });
/** A 300 m square around 3 km east: fixes at 2900..3100 m are inside. */
export const SITE = polygonPlace(
  'site',
  'Site Vallila',
  [east(2850, -150), east(3150, -150), east(3150, 150), east(2850, 150)],
  { category: 'job_site' },
);
/** Small places between fixes 600 m apart (at 600 and 1200 m, then 1800 and 2400 m). */
export const KIOSK = circlePlace('kiosk', 'Kiosk Hakaniemi', east(900), 40, { category: 'fuel_station' });
export const GATE = polygonPlace(
  'gate',
  'Gate Sörnäinen',
  [east(2080, -60), east(2120, -60), east(2120, 60), east(2080, 60)],
  {
    category: 'restricted_area',
  },
);

export const ROAD: PlaceInfo[] = [DEPOT, SITE];
export { east };
