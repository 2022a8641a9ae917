// The bodies and queries of the places routes. A place is created from the API's own JSON
// ({name, category, address?, geometry}) or from a GeoJSON Feature (its properties hold name,
// category, address and, for a circle, radiusM); both become one NewPlace.

import { PLACE_CATEGORIES, type PlaceCategory } from '@fleet/shared/geo';
import { z } from 'zod';
import {
  type BBox,
  checkCircle,
  checkRing,
  circleGeometrySchema,
  type GeometryProblem,
  type PlaceShape,
  placeGeometrySchema,
  pointGeometrySchema,
  polygonGeometrySchema,
  prefix,
  radiusSchema,
} from './geometry.ts';

export { PLACE_CATEGORIES, type PlaceCategory };

export const NAME_MAX_LENGTH = 100;
export const ADDRESS_MAX_LENGTH = 500;

export const placeCategory = z
  .enum(PLACE_CATEGORIES, { error: `category is one of ${PLACE_CATEGORIES.join(', ')}` })
  .meta({ id: 'PlaceCategory' });

const placeName = z
  .string({ error: 'a name is text' })
  .trim()
  .min(1, `a name is 1..${NAME_MAX_LENGTH} characters`)
  .max(NAME_MAX_LENGTH, `a name is 1..${NAME_MAX_LENGTH} characters`)
  .meta({ description: 'unique in the organisation, whatever the case' });

const address = z
  .string({ error: 'an address is text (or null)' })
  .trim()
  .max(ADDRESS_MAX_LENGTH, `an address is at most ${ADDRESS_MAX_LENGTH} characters`)
  .nullable()
  .meta({ description: 'street address as people write it; "" or null for none' });

/** A place's own speed limit, km/h (speeding rules take the lower of it and the vehicle's). */
export const SPEED_LIMIT_KMH = { min: 5, max: 300 } as const;

const speedLimitKmh = z
  .number({ error: 'a speed limit is a number of km/h (or null)' })
  .min(SPEED_LIMIT_KMH.min, `a speed limit is ${SPEED_LIMIT_KMH.min}..${SPEED_LIMIT_KMH.max} km/h`)
  .max(SPEED_LIMIT_KMH.max, `a speed limit is ${SPEED_LIMIT_KMH.min}..${SPEED_LIMIT_KMH.max} km/h`)
  .nullable()
  .meta({
    description: 'km/h inside the place (a depot yard, a site); speeding rules apply the lower limit',
  });

/** What the repository stores: a checked shape and tidy text. */
export interface NewPlace {
  name: string;
  category: PlaceCategory;
  address: string | null;
  shape: PlaceShape;
  speedLimitKmh: number | null;
}

export interface PlaceChanges {
  name?: string | undefined;
  category?: PlaceCategory | undefined;
  address?: string | null | undefined;
  shape?: PlaceShape | undefined;
  speedLimitKmh?: number | null | undefined;
}

const noAddress = (a: string | null | undefined) => (a === undefined || a === null || a === '' ? null : a);

const newPlaceObject = z
  .strictObject({
    type: z.literal('Place').optional().meta({ description: 'absent (or "Place"); "Feature" for GeoJSON' }),
    name: placeName,
    category: placeCategory,
    address: address.optional(),
    geometry: placeGeometrySchema,
    speedLimitKmh: speedLimitKmh.optional(),
  })
  .meta({ id: 'NewPlace', description: 'A place in the API’s own JSON' });

const bboxMember = z
  .array(z.number())
  .min(4)
  .max(6)
  .optional()
  .meta({ description: 'ignored: the server computes it' });

const placeFeatureObject = z
  .strictObject({
    type: z.literal('Feature'),
    id: z
      .union([z.string().max(100), z.number()])
      .optional()
      .meta({ description: 'ignored: the server assigns ids' }),
    bbox: bboxMember,
    geometry: z.discriminatedUnion('type', [pointGeometrySchema, polygonGeometrySchema], {
      error: 'geometry.type is "Point" (a circle: its centre, with properties.radiusM) or "Polygon"',
    }),
    properties: z.strictObject({
      name: placeName,
      category: placeCategory,
      address: address.optional(),
      radiusM: radiusSchema.optional().meta({ description: 'metres: makes a Point a circle' }),
      speedLimitKmh: speedLimitKmh.optional(),
    }),
  })
  .meta({
    id: 'NewPlaceFeature',
    description:
      'A GeoJSON Feature: a Polygon, or a Point with properties.radiusM for a circle. Features exported by GET /api/v1/places?format=geojson can be posted back as they are.',
  });

function addProblems(ctx: z.RefinementCtx, problems: GeometryProblem[]): typeof z.NEVER {
  for (const p of problems) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  return z.NEVER;
}

export const newPlaceSchema = z
  .discriminatedUnion('type', [newPlaceObject, placeFeatureObject], {
    error: 'type is absent for a place in this API’s JSON, or "Feature" for a GeoJSON Feature',
  })
  .transform((body, ctx): NewPlace => {
    if (body.type !== 'Feature')
      return {
        name: body.name,
        category: body.category,
        address: noAddress(body.address),
        shape: body.geometry,
        speedLimitKmh: body.speedLimitKmh ?? null,
      };
    const { geometry, properties } = body;
    let shape: PlaceShape;
    if (geometry.type === 'Point') {
      if (properties.radiusM === undefined)
        return addProblems(ctx, [
          { path: ['properties', 'radiusM'], message: 'a Point is a circle: give its radius in metres' },
        ]);
      const [lon, lat] = geometry.coordinates;
      const checked = checkCircle({ lat, lon }, properties.radiusM);
      if (!checked.ok)
        return addProblems(
          ctx,
          checked.problems.map((p) => ({
            path: p.path[0] === 'radiusM' ? ['properties', 'radiusM'] : ['geometry', 'coordinates'],
            message: p.message,
          })),
        );
      shape = checked.shape;
    } else {
      if (properties.radiusM !== undefined)
        return addProblems(ctx, [
          { path: ['properties', 'radiusM'], message: 'only a Point (a circle) has a radius' },
        ]);
      const checked = checkRing(geometry.coordinates[0] ?? []);
      if (!checked.ok) return addProblems(ctx, prefix(['geometry', 'coordinates', 0], checked.problems));
      shape = checked.shape;
    }
    return {
      name: properties.name,
      category: properties.category,
      address: noAddress(properties.address),
      shape,
      speedLimitKmh: properties.speedLimitKmh ?? null,
    };
  });

export const placeChangesSchema = z
  .strictObject({
    name: placeName.optional(),
    category: placeCategory.optional(),
    address: address.optional(),
    geometry: placeGeometrySchema.optional(),
    speedLimitKmh: speedLimitKmh.optional(),
  })
  .refine(
    (b) => Object.keys(b).length > 0,
    'nothing to change: give name, category, address, geometry or speedLimitKmh',
  )
  .transform(
    (b): PlaceChanges => ({
      ...(b.name === undefined ? {} : { name: b.name }),
      ...(b.category === undefined ? {} : { category: b.category }),
      ...(b.address === undefined ? {} : { address: noAddress(b.address) }),
      ...(b.geometry === undefined ? {} : { shape: b.geometry }),
      ...(b.speedLimitKmh === undefined ? {} : { speedLimitKmh: b.speedLimitKmh }),
    }),
  )
  .meta({ id: 'PlaceChanges', description: 'Fields to change, in the API’s own JSON; absent ones stay' });

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** `bbox=west,south,east,north` (GeoJSON's order); west > east is a box across the antimeridian. */
export const bboxQuery = z
  .string()
  .max(200)
  .transform((text, ctx): BBox => {
    const parts = text.split(',').map((p) => p.trim());
    const values = parts.map(Number);
    const bad = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (parts.length !== 4 || !parts.every((p) => NUMBER.test(p)) || !values.every(Number.isFinite))
      return bad('bbox is four numbers: west,south,east,north (minLon,minLat,maxLon,maxLat)');
    const [minLon, minLat, maxLon, maxLat] = values as [number, number, number, number];
    if (Math.abs(minLon) > 180 || Math.abs(maxLon) > 180) return bad('bbox longitudes are -180..180');
    if (Math.abs(minLat) > 90 || Math.abs(maxLat) > 90) return bad('bbox latitudes are -90..90');
    if (minLat > maxLat) return bad('bbox: south is greater than north');
    return { minLon, minLat, maxLon, maxLat };
  })
  .meta({
    description:
      'west,south,east,north (minLon,minLat,maxLon,maxLat): places whose box meets it; west > east crosses the antimeridian',
    example: '24.90,60.15,24.99,60.19',
  });

export const placeQuerySchema = z
  .strictObject({
    category: placeCategory.optional(),
    name: z.string().max(NAME_MAX_LENGTH).optional().meta({ description: 'part of the name, any case' }),
    bbox: bboxQuery.optional(),
    format: z
      .enum(['json', 'geojson'])
      .default('json')
      .meta({ description: 'geojson: a FeatureCollection of the page (x-total-count has the total)' }),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  })
  .meta({ id: 'PlaceQuery' });

export const placeFormatQuery = z
  .strictObject({ format: z.enum(['json', 'geojson']).default('json') })
  .meta({ id: 'PlaceFormat' });

const bboxOut = z
  .tuple([z.number(), z.number(), z.number(), z.number()])
  .meta({ description: '[west, south, east, north]' });

export const placeSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    category: placeCategory,
    address: z.string().nullable(),
    geometry: z.discriminatedUnion('type', [circleGeometrySchema, polygonGeometrySchema]),
    bbox: bboxOut,
    areaM2: z.number().meta({ description: 'm², rounded' }),
    speedLimitKmh: z.number().nullable().meta({ description: 'km/h inside the place; null: none' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Place' });

export const placePageSchema = z
  .object({
    items: z.array(placeSchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .meta({ id: 'PlacePage' });

/** Documented, not validated (the server writes it as GeoJSON text). */
export const placeFeatureSchema = z
  .object({
    type: z.literal('Feature'),
    id: z.uuid(),
    bbox: bboxOut,
    geometry: z.discriminatedUnion('type', [pointGeometrySchema, polygonGeometrySchema]),
    properties: z.object({
      name: z.string(),
      category: placeCategory,
      address: z.string().nullable(),
      radiusM: z.number().optional().meta({ description: 'circles only: the Point is the centre' }),
      speedLimitKmh: z.number().optional().meta({ description: 'km/h inside the place, when it has one' }),
    }),
  })
  .meta({ id: 'PlaceFeature' });

export const placeFeatureCollectionSchema = z
  .object({ type: z.literal('FeatureCollection'), features: z.array(placeFeatureSchema) })
  .meta({ id: 'PlaceFeatureCollection' });
