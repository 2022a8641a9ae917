// The MapLibre style of the offline basemap: calm and light so the live vehicles on top stand out
// (muted roads, light buildings, blue-grey water, soft green parks), drawn from the GeoJSON files
// build.ts writes. Plain data in, a StyleSpecification out; build.ts writes it as style.json.
//
// Text without a glyph server: the style has no `glyphs` URL, and MapLibre GL JS (checked in
// 6.17, src/render/glyph_manager.ts) then draws every glyph in the browser with TinySDF from a
// local font: the CSS family list is the layer's `text-font` followed by `sans-serif`, and the
// weight and style are read from the first name ("Bold", "Italic"). The names are the usual
// glyph-server ones, so the style also works unchanged against a glyphs URL that serves them.
//
// Sea and land: Natural Earth is far too coarse for streets (its 1:10M coastline is off by up to
// a kilometre in Helsinki), and the OSM extract covers only its own box. So the background is
// water-coloured up to zoom 10 with Natural Earth land on it, then turns land-coloured by zoom
// 12, where Natural Earth is dropped; from there the sea is the one built from the extract's
// coastline (features.ts), exact inside the box, and everything outside the box is plain land.
import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import { ROAD_CLASSES, type RoadClass, STREET_CLASSES } from './classify.ts';

/** The GeoJSON sources, bottom to top; each is served as `<name>.geojson` under the base URL. */
export const BASEMAP_SOURCES = [
  'land',
  'boundaries',
  'water',
  'green',
  'buildings',
  'roads',
  'labels',
] as const;
export type BasemapSource = (typeof BASEMAP_SOURCES)[number];

export const FONT_REGULAR = ['Noto Sans Regular'];
export const FONT_BOLD = ['Noto Sans Bold'];
export const FONT_ITALIC = ['Noto Sans Italic'];

export const COLOURS = {
  land: '#f2f0eb',
  water: '#b9cbd8',
  waterway: '#a9bfce',
  waterText: '#587488',
  park: '#d3e4c4',
  grass: '#dcead0',
  wood: '#c9dcb8',
  parkText: '#5b7650',
  building: '#e3ded6',
  buildingOutline: '#d3cdc3',
  border: '#aaa39a',
  casing: '#d0c9bd',
  majorCasing: '#d9c49e',
  path: '#c4bbad',
  rail: '#b5afa5',
  text: '#57534d',
  placeText: '#4a4640',
  halo: '#ffffff',
  arrow: '#948d82',
} as const;

const ROAD_FILL: Record<RoadClass, string> = {
  motorway: '#f1d39c',
  primary: '#f7e3b9',
  secondary: '#fbeed3',
  tertiary: '#ffffff',
  minor: '#ffffff',
  service: '#ffffff',
  pedestrian: '#f6f3ee',
  path: COLOURS.path,
  rail: COLOURS.rail,
  tram: COLOURS.rail,
};

// Line widths (px) at zoom 10, 13, 16 and 19, interpolated exponentially in between.
const WIDTH_ZOOMS = [10, 13, 16, 19] as const;
const ROAD_WIDTH: Record<RoadClass, readonly [number, number, number, number]> = {
  motorway: [1.5, 3, 9, 30],
  primary: [1.2, 2.6, 8, 26],
  secondary: [1, 2.2, 7, 23],
  tertiary: [0.7, 1.8, 6, 20],
  minor: [0.3, 1, 4.5, 16],
  service: [0, 0.5, 2.5, 9],
  pedestrian: [0, 0.6, 3, 10],
  path: [0, 0.4, 1, 2.5],
  rail: [0.5, 0.8, 1.5, 3],
  tram: [0, 0.4, 1, 2],
};
const CASING_EXTRA = [0.5, 0.8, 1.6, 3] as const;
const MAJOR: readonly RoadClass[] = ['motorway', 'primary', 'secondary'];

const cls: ExpressionSpecification = ['get', 'class'];
const inClasses = (classes: readonly string[]): ExpressionSpecification => [
  'in',
  cls,
  ['literal', [...classes]],
];
const seaToLand: ExpressionSpecification = [
  'interpolate',
  ['linear'],
  ['zoom'],
  10,
  COLOURS.water,
  12,
  COLOURS.land,
];

function byClass<T extends string | number>(
  values: Record<RoadClass, T>,
  fallback: T,
): ExpressionSpecification {
  return [
    'match',
    cls,
    ...ROAD_CLASSES.flatMap((c) => [c, values[c]]),
    fallback,
  ] as unknown as ExpressionSpecification;
}

function roadWidth(extra: readonly number[] = [0, 0, 0, 0]): ExpressionSpecification {
  const stops = WIDTH_ZOOMS.flatMap((z, i) => [
    z,
    byClass(
      Object.fromEntries(
        ROAD_CLASSES.map((c) => [c, (ROAD_WIDTH[c][i] ?? 0) + (ROAD_WIDTH[c][i] ? (extra[i] ?? 0) : 0)]),
      ) as Record<RoadClass, number>,
      0,
    ),
  ]);
  return ['interpolate', ['exponential', 1.6], ['zoom'], ...stops] as unknown as ExpressionSpecification;
}

// Higher classes are drawn over lower ones where they meet.
const roadRank = byClass(
  Object.fromEntries(ROAD_CLASSES.map((c, i) => [c, ROAD_CLASSES.length - i])) as Record<RoadClass, number>,
  0,
);
const tunnelFaded: ExpressionSpecification = ['case', ['==', ['get', 'tunnel'], true], 0.45, 1];

const textPaint = (color: string) => ({
  'text-color': color,
  'text-halo-color': COLOURS.halo,
  'text-halo-width': 1.5,
});

export interface BasemapView {
  /** [longitude, latitude] the map opens at when nothing else says. */
  center: [number, number];
  zoom: number;
}

/**
 * The basemap style. `baseUrl` is where the GeoJSON files are served, such as `/basemap/` (the
 * platform's path) or an absolute `http://host:8080/basemap/`. MapLibre 6.17 resolves a GeoJSON
 * source URL against the page (`browser.resolveURL` on the main thread), so a root-relative URL
 * works both in a style object and in a style.json loaded by URL, as long as the page and the
 * files share an origin.
 */
export function basemapStyle(baseUrl: string, view?: BasemapView): StyleSpecification {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const osm = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
  const naturalEarth = 'Natural Earth';
  const source = (name: BasemapSource, attribution: string) =>
    ({ type: 'geojson', data: `${base}${name}.geojson`, attribution }) as const;
  const style: StyleSpecification = {
    version: 8,
    name: 'Fleet offline basemap',
    sources: {
      land: source('land', naturalEarth),
      boundaries: source('boundaries', naturalEarth),
      water: source('water', osm),
      green: source('green', osm),
      buildings: source('buildings', osm),
      roads: source('roads', osm),
      labels: source('labels', osm),
    },
    layers: layers(),
  };
  if (view) {
    style.center = view.center;
    style.zoom = view.zoom;
  }
  return style;
}

function layers(): LayerSpecification[] {
  const street = inClasses(STREET_CLASSES);
  return [
    { id: 'background', type: 'background', paint: { 'background-color': seaToLand } },
    {
      id: 'land-world',
      type: 'fill',
      source: 'land',
      maxzoom: 12,
      filter: ['==', ['get', 'tier'], 'world'],
      paint: { 'fill-color': COLOURS.land, 'fill-antialias': false },
    },
    {
      // Hides the coarse world coastline inside the window the fine one covers.
      id: 'land-local-water',
      type: 'fill',
      source: 'land',
      minzoom: 4,
      maxzoom: 12,
      filter: ['==', ['get', 'tier'], 'local-water'],
      paint: { 'fill-color': seaToLand, 'fill-antialias': false },
    },
    {
      id: 'land-local',
      type: 'fill',
      source: 'land',
      minzoom: 4,
      maxzoom: 12,
      filter: ['==', ['get', 'tier'], 'local'],
      paint: { 'fill-color': COLOURS.land },
    },
    {
      id: 'boundaries-world',
      type: 'line',
      source: 'boundaries',
      maxzoom: 4,
      filter: ['==', ['get', 'tier'], 'world'],
      paint: { 'line-color': COLOURS.border, 'line-width': 0.6, 'line-dasharray': [3, 2] },
    },
    {
      id: 'boundaries-local',
      type: 'line',
      source: 'boundaries',
      minzoom: 4,
      maxzoom: 12,
      filter: ['==', ['get', 'tier'], 'local'],
      paint: {
        'line-color': COLOURS.border,
        'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.6, 10, 1.4],
        'line-dasharray': [3, 2],
      },
    },
    {
      id: 'green',
      type: 'fill',
      source: 'green',
      paint: {
        'fill-color': ['match', cls, 'park', COLOURS.park, 'wood', COLOURS.wood, COLOURS.grass],
      },
    },
    {
      id: 'water',
      type: 'fill',
      source: 'water',
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': COLOURS.water },
    },
    {
      id: 'waterway',
      type: 'line',
      source: 'water',
      minzoom: 13,
      filter: ['==', ['geometry-type'], 'LineString'],
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': COLOURS.waterway,
        'line-width': ['interpolate', ['exponential', 1.4], ['zoom'], 13, 0.8, 18, 4],
      },
    },
    {
      id: 'buildings',
      type: 'fill',
      source: 'buildings',
      minzoom: 13,
      paint: {
        'fill-color': COLOURS.building,
        'fill-outline-color': COLOURS.buildingOutline,
        'fill-opacity': ['interpolate', ['linear'], ['zoom'], 13, 0, 14, 1],
      },
    },
    {
      id: 'paths',
      type: 'line',
      source: 'roads',
      minzoom: 14,
      filter: ['==', cls, 'path'],
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': COLOURS.path,
        'line-width': roadWidth(),
        'line-dasharray': [2, 1.5],
        'line-opacity': tunnelFaded,
      },
    },
    {
      id: 'railways',
      type: 'line',
      source: 'roads',
      minzoom: 12,
      // Railways underground (the metro) are noise on a street map; road tunnels are drawn faded.
      filter: [
        'all',
        ['!=', ['get', 'tunnel'], true],
        ['any', ['==', cls, 'rail'], ['all', ['==', cls, 'tram'], ['>=', ['zoom'], 14]]],
      ],
      paint: { 'line-color': COLOURS.rail, 'line-width': roadWidth() },
    },
    {
      id: 'roads-casing',
      type: 'line',
      source: 'roads',
      minzoom: 12,
      filter: street,
      layout: { 'line-cap': 'round', 'line-join': 'round', 'line-sort-key': roadRank },
      paint: {
        'line-color': ['case', inClasses(MAJOR), COLOURS.majorCasing, COLOURS.casing],
        'line-width': roadWidth(CASING_EXTRA),
        'line-opacity': tunnelFaded,
      },
    },
    {
      id: 'roads',
      type: 'line',
      source: 'roads',
      minzoom: 9,
      filter: street,
      layout: { 'line-cap': 'round', 'line-join': 'round', 'line-sort-key': roadRank },
      paint: {
        'line-color': byClass(ROAD_FILL, '#ffffff'),
        'line-width': roadWidth(),
        'line-opacity': tunnelFaded,
      },
    },
    {
      // One-way arrows follow the line's direction: features.ts turns `oneway=-1` ways round.
      id: 'oneway-arrows',
      type: 'symbol',
      source: 'roads',
      minzoom: 16,
      filter: ['all', street, ['==', ['get', 'oneway'], true]],
      layout: {
        'symbol-placement': 'line',
        'symbol-spacing': 120,
        'text-field': '→',
        'text-font': FONT_REGULAR,
        'text-size': 14,
        'text-keep-upright': false,
        'text-ignore-placement': true,
        'text-rotation-alignment': 'map',
      },
      paint: { 'text-color': COLOURS.arrow },
    },
    {
      id: 'water-labels',
      type: 'symbol',
      source: 'water',
      minzoom: 13,
      filter: ['all', ['==', ['geometry-type'], 'Polygon'], ['has', 'name']],
      layout: {
        'text-field': ['get', 'name'],
        'text-font': FONT_ITALIC,
        'text-size': 12,
        'text-max-width': 8,
      },
      paint: textPaint(COLOURS.waterText),
    },
    {
      id: 'park-labels',
      type: 'symbol',
      source: 'green',
      minzoom: 15,
      filter: ['all', ['==', cls, 'park'], ['has', 'name']],
      layout: {
        'text-field': ['get', 'name'],
        'text-font': FONT_REGULAR,
        'text-size': 11,
        'text-max-width': 8,
      },
      paint: textPaint(COLOURS.parkText),
    },
    {
      id: 'landmark-labels',
      type: 'symbol',
      source: 'labels',
      minzoom: 15,
      filter: ['in', cls, ['literal', ['landmark', 'square']]],
      layout: {
        'text-field': ['get', 'name'],
        'text-font': ['match', cls, 'square', ['literal', FONT_ITALIC], ['literal', FONT_REGULAR]],
        'text-size': 11,
        'text-max-width': 8,
        'text-padding': 4,
      },
      paint: textPaint(COLOURS.text),
    },
    {
      id: 'street-labels',
      type: 'symbol',
      source: 'roads',
      minzoom: 13,
      filter: ['all', street, ['has', 'name'], ['any', ['>=', ['zoom'], 15], inClasses(MAJOR)]],
      layout: {
        'symbol-placement': 'line',
        'symbol-spacing': 300,
        'symbol-sort-key': ['-', 0, roadRank],
        'text-field': ['get', 'name'],
        'text-font': FONT_REGULAR,
        'text-size': ['interpolate', ['linear'], ['zoom'], 13, 10, 17, 13],
        'text-max-angle': 30,
        'text-padding': 2,
      },
      paint: textPaint(COLOURS.text),
    },
    {
      id: 'station-labels',
      type: 'symbol',
      source: 'labels',
      minzoom: 14,
      filter: ['==', cls, 'station'],
      layout: {
        'text-field': ['get', 'name'],
        'text-font': FONT_BOLD,
        'text-size': 12,
        'text-max-width': 8,
      },
      paint: textPaint(COLOURS.text),
    },
    {
      id: 'place-labels',
      type: 'symbol',
      source: 'labels',
      minzoom: 12,
      maxzoom: 17,
      filter: ['in', cls, ['literal', ['suburb', 'neighbourhood']]],
      layout: {
        'text-field': ['get', 'name'],
        'text-font': FONT_BOLD,
        'text-size': ['match', cls, 'suburb', 13, 11],
        'text-transform': 'uppercase',
        'text-letter-spacing': 0.12,
        'text-max-width': 9,
      },
      paint: { ...textPaint('#7a746b'), 'text-halo-width': 2 },
    },
    {
      id: 'city-labels',
      type: 'symbol',
      source: 'labels',
      minzoom: 5,
      maxzoom: 14,
      filter: ['==', cls, 'city'],
      layout: {
        'text-field': ['get', 'name'],
        'text-font': FONT_BOLD,
        'text-size': ['interpolate', ['linear'], ['zoom'], 5, 12, 12, 18],
      },
      paint: { ...textPaint(COLOURS.placeText), 'text-halo-width': 2 },
    },
  ];
}
