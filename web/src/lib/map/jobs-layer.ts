// Today's jobs on the live map, as data: which jobs are shown (unfinished, overlapping the
// organisation's calendar day), each site's shape and label in its state's colour, and for an
// en-route job a line from each booked vehicle's live position to the site with the ETA beside
// the vehicle the estimate is for (the API estimates the first to arrive). Also the job a
// vehicle's card names, and whether the layer is on (`?jobs=off` in the address bar, as the map
// keeps its other choices there). Pure: tested in Node (web/test/map-jobs.test.ts); the drawing
// is jobs-overlay.ts.
import type { FleetDevice, Job } from '@fleet/api/contract';
import { JOB_STATE_LABELS, type JobState, UNFINISHED_JOB_STATES } from '@fleet/shared/jobs';
import type { Feature, FeatureCollection, LineString, Point, Polygon } from 'geojson';
import type {
  ExpressionSpecification,
  FillLayerSpecification,
  LayerSpecification,
  LineLayerSpecification,
  SymbolLayerSpecification,
} from 'maplibre-gl';
import type { PlaceGeometry, Position } from '../api/management.ts';
import { byStart, onBoard } from '../jobs/board.ts';
import { JOB_STATE_COLORS, jobStateColorExpression } from '../jobs/state-style.ts';
import { zonedDayTime } from '../time.ts';
import { placePolygon } from './alert-shapes.ts';

export const JOBS_SOURCES = {
  sites: 'job-sites',
  labels: 'job-labels',
  routes: 'job-routes',
  etas: 'job-etas',
} as const;

export const JOBS_LAYER_IDS = {
  siteFill: 'job-site-fill',
  siteLine: 'job-site-line',
  routes: 'job-routes',
  labels: 'job-labels',
  etas: 'job-etas',
} as const;

/** The address bar's word for the layer switched off; on is the default and says nothing. */
export const JOBS_PARAM = 'jobs';

/** Whether the address asks for the jobs layer: on unless `?jobs=off`. */
export function jobsShownFromQuery(params: Pick<URLSearchParams, 'get'>): boolean {
  return params.get(JOBS_PARAM) !== 'off';
}

/** Writes the layer's choice into a query (only when off, so a plain address stays plain). */
export function setJobsQuery(query: URLSearchParams, shown: boolean): void {
  if (shown) query.delete(JOBS_PARAM);
  else query.set(JOBS_PARAM, 'off');
}

/** The jobs the map shows: unfinished and overlapping `day` of the zone (as the board's day), earliest first. */
export function todaysJobs(jobs: readonly Job[], day: string, timeZone: string): Job[] {
  return jobs
    .filter((j) => UNFINISHED_JOB_STATES.includes(j.state) && onBoard(j, { day, projectId: '' }, timeZone))
    .sort(byStart);
}

/** Out with the vehicle first (on site, en route), then dispatched, then planned. */
const STATE_RANK: Partial<Record<JobState, number>> = { on_site: 0, en_route: 0, dispatched: 1, planned: 2 };

/**
 * The job a vehicle's card names: of the jobs booking the asset, the one it is out on, else the
 * next dispatched, else the next planned (earliest first). `others`: how many more book it.
 */
export function bookedJob(jobs: readonly Job[], assetId: string): { job: Job; others: number } | undefined {
  const mine = jobs
    .filter((j) => STATE_RANK[j.state] !== undefined && j.assets.some((a) => a.id === assetId))
    .sort((a, b) => (STATE_RANK[a.state] ?? 9) - (STATE_RANK[b.state] ?? 9) || byStart(a, b));
  const [job] = mine;
  return job ? { job, others: mine.length - 1 } : undefined;
}

const TITLE_MAX = 32;

/** The label at a job's site: "JOB-7 Harbour shoot" (long titles cut) over its state. */
export function jobLabel(job: Pick<Job, 'reference' | 'title' | 'state'>): { head: string; state: string } {
  const title = job.title.length > TITLE_MAX ? `${job.title.slice(0, TITLE_MAX - 1).trimEnd()}…` : job.title;
  return { head: `${job.reference} ${title}`, state: JOB_STATE_LABELS[job.state] };
}

/** "ETA 14:32", "ETA 14:32 · late": beside the vehicle on the map (the card says more). */
export function etaLabel(eta: NonNullable<Job['eta']>, timeZone: string): string {
  return `ETA ${zonedDayTime(Date.parse(eta.at), timeZone).time}${eta.late ? ' · late' : ''}`;
}

/** Where a site's label and the lines to it go: a circle's centre, a polygon's vertex mean. */
export function placeCentre(geometry: PlaceGeometry): Position {
  if (geometry.type === 'circle') return [geometry.center.lon, geometry.center.lat];
  const ring = geometry.coordinates[0] ?? [];
  const first = ring[0];
  const last = ring[ring.length - 1];
  const points =
    first && last && ring.length > 1 && first[0] === last[0] && first[1] === last[1]
      ? ring.slice(0, -1)
      : ring;
  if (points.length === 0) return [0, 0];
  const sum = points.reduce<[number, number]>((s, [lon, lat]) => [s[0] + lon, s[1] + lat], [0, 0]);
  return [sum[0] / points.length, sum[1] / points.length];
}

export interface SiteProperties {
  placeId: string;
  /** The most advanced state of its jobs, for the colour. */
  state: JobState;
}
export interface LabelProperties {
  jobId: string;
  placeId: string;
  head: string;
  stateLabel: string;
  state: JobState;
  /** [x, y] in ems: a site's second job is labelled under its first. */
  offset: [number, number];
}
export interface RouteProperties {
  jobId: string;
  assetId: string;
  late: boolean;
}
export interface EtaProperties {
  jobId: string;
  assetId: string;
  text: string;
  late: boolean;
}

export interface JobsLayerData {
  sites: FeatureCollection<Polygon, SiteProperties>;
  labels: FeatureCollection<Point, LabelProperties>;
  routes: FeatureCollection<LineString, RouteProperties>;
  etas: FeatureCollection<Point, EtaProperties>;
}

export interface JobsLayerInput {
  /** The jobs to draw (todaysJobs). */
  jobs: readonly Job[];
  /** Their places' shapes by id; a job whose place is not (yet) known is not drawn. */
  places: ReadonlyMap<string, { geometry: PlaceGeometry }>;
  /** A vehicle's live position, by asset id (from the fleet the markers are drawn from). */
  vehicleAt(assetId: string): { lon: number; lat: number } | undefined;
  timeZone: string;
}

/** Ems between the labels of jobs sharing a site (two lines each). */
const LABEL_ROW_EMS = 2.6;
const LABEL_TOP_EMS = 1;
const PROGRESS: readonly JobState[] = ['planned', 'dispatched', 'en_route', 'on_site'];

const collection = <G extends Polygon | Point | LineString, P>(
  features: Feature<G, P>[],
): FeatureCollection<G, P> => ({
  type: 'FeatureCollection',
  features,
});

export function jobsLayerData(input: JobsLayerInput): JobsLayerData {
  const sites = new Map<string, Feature<Polygon, SiteProperties>>();
  const labels: Feature<Point, LabelProperties>[] = [];
  const routes: Feature<LineString, RouteProperties>[] = [];
  const etas: Feature<Point, EtaProperties>[] = [];
  const rows = new Map<string, number>();
  for (const job of input.jobs) {
    const place = input.places.get(job.place.id);
    if (!place) continue;
    const centre = placeCentre(place.geometry);
    const site = sites.get(job.place.id);
    if (!site)
      sites.set(job.place.id, {
        type: 'Feature',
        properties: { placeId: job.place.id, state: job.state },
        geometry: { type: 'Polygon', coordinates: placePolygon(place.geometry) },
      });
    else if (PROGRESS.indexOf(job.state) > PROGRESS.indexOf(site.properties.state))
      site.properties.state = job.state;
    const row = rows.get(job.place.id) ?? 0;
    rows.set(job.place.id, row + 1);
    const { head, state } = jobLabel(job);
    labels.push({
      type: 'Feature',
      properties: {
        jobId: job.id,
        placeId: job.place.id,
        head,
        stateLabel: state,
        state: job.state,
        offset: [0, LABEL_TOP_EMS + row * LABEL_ROW_EMS],
      },
      geometry: { type: 'Point', coordinates: centre },
    });
    if (job.state !== 'en_route') continue;
    for (const asset of job.assets) {
      if (asset.kind !== 'vehicle') continue;
      const at = input.vehicleAt(asset.id);
      if (!at) continue;
      const late = job.eta?.assetId === asset.id && job.eta.late;
      routes.push({
        type: 'Feature',
        properties: { jobId: job.id, assetId: asset.id, late },
        geometry: { type: 'LineString', coordinates: [[at.lon, at.lat], centre] },
      });
      if (job.eta && job.eta.assetId === asset.id)
        etas.push({
          type: 'Feature',
          properties: { jobId: job.id, assetId: asset.id, text: etaLabel(job.eta, input.timeZone), late },
          geometry: { type: 'Point', coordinates: [at.lon, at.lat] },
        });
    }
  }
  return {
    sites: collection([...sites.values()]),
    labels: collection(labels),
    routes: collection(routes),
    etas: collection(etas),
  };
}

/** The asset ids whose positions the drawing depends on: the vehicles of en-route jobs. */
export function trackedAssets(jobs: readonly Job[]): Set<string> {
  const ids = new Set<string>();
  for (const j of jobs)
    if (j.state === 'en_route') for (const a of j.assets) if (a.kind === 'vehicle') ids.add(a.id);
  return ids;
}

/** The devices on each asset, by asset id (a van may carry a tracker and an OBD dongle). */
export function assetDevices(
  devices: Iterable<Pick<FleetDevice, 'deviceId' | 'asset'>>,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of devices) if (d.asset) out.set(d.asset.id, [...(out.get(d.asset.id) ?? []), d.deviceId]);
  return out;
}

/**
 * An asset's live position: the newest of its devices' as the map draws them (`lookup` gives
 * none for a device the map does not show), with the device it came from.
 */
export function assetPosition(
  index: ReadonlyMap<string, readonly string[]>,
  lookup: (deviceId: string) => Pick<FleetDevice, 'deviceId' | 'position'> | undefined,
  assetId: string,
): { deviceId: string; lon: number; lat: number } | undefined {
  let best: { deviceId: string; lon: number; lat: number; ts: number } | undefined;
  for (const id of index.get(assetId) ?? []) {
    const p = lookup(id)?.position;
    if (p && (best === undefined || p.ts > best.ts))
      best = { deviceId: id, lon: p.lon, lat: p.lat, ts: p.ts };
  }
  return best && { deviceId: best.deviceId, lon: best.lon, lat: best.lat };
}

/** A late ETA and its line: the danger colour of app.css. */
export const LATE_COLOR = '#b91c1c';
const INK = '#0f172a';
const FONT = ['Noto Sans Bold'];
const stateColor = jobStateColorExpression() as ExpressionSpecification;

/**
 * The layers, bottom to top: `below` (site fill and outline, the lines to them) go under the
 * fleet's markers, `above` (the labels) over them, so a marker stays clickable on a site and a
 * label is never hidden by one.
 */
export function jobsLayers(): { below: LayerSpecification[]; above: LayerSpecification[] } {
  const siteFill: FillLayerSpecification = {
    id: JOBS_LAYER_IDS.siteFill,
    type: 'fill',
    source: JOBS_SOURCES.sites,
    paint: { 'fill-color': stateColor, 'fill-opacity': 0.14 },
  };
  const siteLine: LineLayerSpecification = {
    id: JOBS_LAYER_IDS.siteLine,
    type: 'line',
    source: JOBS_SOURCES.sites,
    paint: { 'line-color': stateColor, 'line-width': 2.5 },
  };
  const routes: LineLayerSpecification = {
    id: JOBS_LAYER_IDS.routes,
    type: 'line',
    source: JOBS_SOURCES.routes,
    layout: { 'line-cap': 'round' },
    paint: {
      'line-color': ['case', ['get', 'late'], LATE_COLOR, JOB_STATE_COLORS.en_route],
      'line-width': 2.5,
      'line-dasharray': [2, 1.5],
      'line-opacity': 0.85,
    },
  };
  const labels: SymbolLayerSpecification = {
    id: JOBS_LAYER_IDS.labels,
    type: 'symbol',
    source: JOBS_SOURCES.labels,
    layout: {
      'text-field': [
        'format',
        ['get', 'head'],
        { 'text-color': INK },
        '\n',
        {},
        ['get', 'stateLabel'],
        { 'text-color': stateColor, 'font-scale': 0.9 },
      ],
      'text-font': FONT,
      'text-size': 12,
      'text-anchor': 'top',
      'text-offset': ['array', 'number', 2, ['get', 'offset']] as ExpressionSpecification,
      // A job's label is what the dispatcher looks for: never dropped for a street name.
      'text-allow-overlap': true,
      'text-ignore-placement': true,
    },
    paint: { 'text-halo-color': '#ffffff', 'text-halo-width': 1.8 },
  };
  const etas: SymbolLayerSpecification = {
    id: JOBS_LAYER_IDS.etas,
    type: 'symbol',
    source: JOBS_SOURCES.etas,
    layout: {
      'text-field': ['get', 'text'],
      'text-font': FONT,
      'text-size': 12,
      // Beside the marker (7 px circle), clear of its heading arrow.
      'text-anchor': 'left',
      'text-offset': [1.3, 0],
      'text-allow-overlap': true,
      'text-ignore-placement': true,
    },
    paint: {
      'text-color': ['case', ['get', 'late'], LATE_COLOR, INK],
      'text-halo-color': '#ffffff',
      'text-halo-width': 1.8,
    },
  };
  return { below: [siteFill, siteLine, routes], above: [labels, etas] };
}

/** Layers a click opens a site's card from. */
export const JOB_CLICK_LAYERS = [JOBS_LAYER_IDS.siteFill, JOBS_LAYER_IDS.labels];
