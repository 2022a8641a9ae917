// Places of the organisation: depots, client sites, job sites and the like, each a circle or a
// polygon, read as JSON or GeoJSON and changed by the people who plan the work. Rules (geofence
// enter, exit, dwell), jobs and work orders refer to them.
import type { z } from 'zod';
import { ApiError, errorBodySchema } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE, MANAGE_PLACES } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, empty, iso, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { areaM2, bboxArray, shapeToGeoJson, shapeToJson } from './geometry.ts';
import { type Place, Places } from './repository.ts';
import {
  newPlaceSchema,
  placeChangesSchema,
  placeFeatureCollectionSchema,
  placeFeatureSchema,
  placeFormatQuery,
  placePageSchema,
  placeQuerySchema,
  placeSchema,
} from './schemas.ts';

const errors = ERROR_RESPONSES;
const notFound = notFoundResponse('place');
const duplicate = { description: 'A place with this name exists', schema: errorBodySchema } as const;
const GEOJSON = 'application/geo+json';

export function placeBody(p: Place): z.input<typeof placeSchema> {
  return {
    id: p.id,
    name: p.name,
    category: p.category,
    address: p.address,
    geometry: shapeToJson(p.shape),
    bbox: bboxArray(p.shape.bbox),
    areaM2: Math.round(areaM2(p.shape)),
    speedLimitKmh: p.speedLimitKmh,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

/** A place as a GeoJSON Feature: a circle is its centre Point with properties.radiusM. */
export function placeFeature(p: Place): z.input<typeof placeFeatureSchema> {
  return {
    type: 'Feature',
    id: p.id,
    bbox: bboxArray(p.shape.bbox),
    geometry: shapeToGeoJson(p.shape),
    properties: {
      name: p.name,
      category: p.category,
      address: p.address,
      ...(p.shape.kind === 'circle' ? { radiusM: p.shape.radiusM } : {}),
      ...(p.speedLimitKmh === null ? {} : { speedLimitKmh: p.speedLimitKmh }),
    },
  };
}

export function placeRoutes(ctx: ApiContext): AnyRoute[] {
  const places = (orgId: string) => new Places(ctx.db, orgId);
  async function find(orgId: string, id: string): Promise<Place> {
    const place = await places(orgId).get(id);
    if (!place) throw new ApiError('not_found', 'No such place.');
    return place;
  }

  return [
    defineRoute({
      id: 'listPlaces',
      method: 'get',
      path: '/api/v1/places',
      tag: 'places',
      summary: "The organisation's places, by name",
      description:
        'Filter by category, part of the name and a box (`bbox=west,south,east,north`: places whose own box meets it). `format=geojson` answers a GeoJSON FeatureCollection of the same page, with the total in `x-total-count`.',
      access: ANY_ROLE,
      query: placeQuerySchema,
      responses: {
        200: {
          description: 'A page of places',
          schema: placePageSchema,
          alternatives: { [GEOJSON]: placeFeatureCollectionSchema },
        },
        ...errors,
      },
      async handler({ principal, query }) {
        const page = await places(principal.orgId).page({
          category: query.category,
          nameContains: query.name,
          bbox: query.bbox,
          limit: query.limit,
          offset: query.offset,
        });
        if (query.format === 'geojson')
          return {
            status: 200,
            raw: JSON.stringify({ type: 'FeatureCollection', features: page.items.map(placeFeature) }),
            contentType: GEOJSON,
            headers: { 'x-total-count': String(page.total) },
          };
        return {
          status: 200,
          body: {
            items: page.items.map(placeBody),
            total: page.total,
            limit: query.limit,
            offset: query.offset,
          },
        };
      },
    }),
    defineRoute({
      id: 'getPlace',
      method: 'get',
      path: '/api/v1/places/{id}',
      tag: 'places',
      summary: 'One place',
      description: '`format=geojson` answers a GeoJSON Feature.',
      access: ANY_ROLE,
      params: uuidParam,
      query: placeFormatQuery,
      responses: {
        200: {
          description: 'The place',
          schema: placeSchema,
          alternatives: { [GEOJSON]: placeFeatureSchema },
        },
        ...errors,
        404: notFound,
      },
      async handler({ principal, params, query }) {
        const place = await find(principal.orgId, params.id);
        if (query.format === 'geojson')
          return { status: 200, raw: JSON.stringify(placeFeature(place)), contentType: GEOJSON };
        return { status: 200, body: placeBody(place) };
      },
    }),
    defineRoute({
      id: 'createPlace',
      method: 'post',
      path: '/api/v1/places',
      tag: 'places',
      summary: 'Create a place',
      description:
        'Either the API’s JSON (`{name, category, address?, geometry}`, the geometry a `{type: "circle", center: {lat, lon}, radiusM}` or a GeoJSON Polygon) or a GeoJSON Feature whose properties hold name, category, address and, for a circle given as a Point, radiusM. Send it as application/json. A polygon is one closed outer ring of 4..10,000 positions that does not cross or touch itself, encloses some area, is at most 500 km across and does not cross the antimeridian; a radius is 10 m..50 km.',
      access: MANAGE_PLACES,
      body: newPlaceSchema,
      responses: {
        201: { description: 'Created', schema: placeSchema },
        ...errors,
        409: duplicate,
      },
      async handler({ principal, body }) {
        return { status: 201, body: placeBody(await places(principal.orgId).create(body)) };
      },
    }),
    defineRoute({
      id: 'updatePlace',
      method: 'patch',
      path: '/api/v1/places/{id}',
      tag: 'places',
      summary: 'Rename, recategorise, re-address or redraw a place',
      access: MANAGE_PLACES,
      params: uuidParam,
      body: placeChangesSchema,
      responses: {
        200: { description: 'The changed place', schema: placeSchema },
        ...errors,
        404: notFound,
        409: duplicate,
      },
      async handler({ principal, params, body }) {
        const place = await places(principal.orgId).update(params.id, body);
        if (!place) throw new ApiError('not_found', 'No such place.');
        return { status: 200, body: placeBody(place) };
      },
    }),
    defineRoute({
      id: 'deletePlace',
      method: 'delete',
      path: '/api/v1/places/{id}',
      tag: 'places',
      summary: 'Remove a place',
      access: MANAGE_PLACES,
      params: uuidParam,
      responses: { 200: { description: 'Removed', schema: empty }, ...errors, 404: notFound },
      async handler({ principal, params }) {
        if (!(await places(principal.orgId).remove(params.id)))
          throw new ApiError('not_found', 'No such place.');
        return { status: 200, body: {} };
      },
    }),
  ];
}
