// The management routes the console calls (src/lib/api/management.ts, written there because the
// API's schemas of them cannot be loaded by the console's type check yet) against the API's own
// OpenAPI document: every route is there with the component the console expects, and each
// shape's fields are the API's, so a field added, renamed or dropped on either side fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/api-support.ts';
import {
  LIMITS,
  MANAGEMENT_ROUTES,
  OPTIONAL_FIELDS,
  PLACE_CATEGORIES,
  SHAPE_FIELDS,
} from '../src/lib/api/management.ts';

type Schema = {
  $ref?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: string[];
  maxLength?: number;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
interface Operation {
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

let t: TestApi;
let doc: Document;

beforeAll(async () => {
  t = await startTestApi();
  const res = await t.request<Document>('GET', '/api/v1/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});

afterAll(async () => {
  await t?.close();
});

const refName = (s: Schema | undefined) => s?.$ref?.replace('#/components/schemas/', '');
/** A component, following a top-level $ref and merging the branches of a union or intersection. */
function component(name: string): Schema {
  const s = doc.components.schemas[name];
  if (!s) throw new Error(`no component ${name}`);
  const ref = refName(s);
  if (ref) return component(ref);
  const parts = [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])];
  if (parts.length === 0) return s;
  const properties: Record<string, Schema> = { ...s.properties };
  for (const part of parts) {
    const r = refName(part);
    Object.assign(properties, (r ? component(r) : part).properties);
  }
  return { ...s, properties };
}

function operation(route: string): Operation {
  const [method = '', path = ''] = route.split(' ');
  const op = doc.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`${route} is not in the API's document`);
  return op;
}

describe('the management routes', () => {
  it('are all in the API’s document, answering the components the console reads', () => {
    for (const [route, expected] of Object.entries(MANAGEMENT_ROUTES)) {
      const op = operation(route);
      const success = Object.entries(op.responses).find(([status]) => status.startsWith('2'))?.[1];
      const answered = refName(success?.content?.['application/json']?.schema);
      expect([route, answered]).toEqual([route, expected.response]);
      if ('body' in expected) {
        const schema = op.requestBody?.content['application/json']?.schema;
        // One named body, or a union of them (a place in the API's JSON or as a GeoJSON
        // Feature); a body whose input form differs from its output form is named <id>Input.
        const sent = [schema, ...(schema?.oneOf ?? []), ...(schema?.anyOf ?? [])]
          .map((s) => refName(s)?.replace(/Input$/, ''))
          .filter((n) => n !== undefined);
        expect([route, sent]).toEqual([route, expect.arrayContaining([expected.body])]);
      }
    }
  });

  it('have the fields the console’s shapes have', () => {
    for (const [name, fields] of Object.entries(SHAPE_FIELDS)) {
      const api = Object.keys(component(name).properties ?? {}).sort();
      const ours = [...fields].filter((f) => api.includes(f) || !OPTIONAL_FIELDS.has(f)).sort();
      expect([name, ours]).toEqual([name, api]);
    }
  });

  it('take the limits the forms check', () => {
    const newUser = component('NewUser').properties ?? {};
    expect(newUser.name?.maxLength).toBe(LIMITS.userName);
    expect(newUser.email?.maxLength).toBe(LIMITS.email);
    expect(newUser.password?.minLength).toBe(LIMITS.passwordMin);
    expect(newUser.password?.maxLength).toBe(LIMITS.passwordMax);
    expect(component('NewDepartment').properties?.name?.maxLength).toBe(LIMITS.departmentName);
    const place = component('NewPlace').properties ?? {};
    expect(place.name?.maxLength).toBe(LIMITS.placeName);
    const address = place.address?.anyOf?.find((s) => s.maxLength !== undefined) ?? place.address;
    expect(address?.maxLength).toBe(LIMITS.address);
    const circle = component('CircleGeometry').properties ?? {};
    expect([circle.radiusM?.minimum, circle.radiusM?.maximum]).toEqual([
      LIMITS.minRadiusM,
      LIMITS.maxRadiusM,
    ]);
    expect(component('PlaceCategory').enum).toEqual([...PLACE_CATEGORIES]);
    expect(component('OrganisationChanges').properties?.name?.maxLength).toBe(LIMITS.organisationName);
  });
});
