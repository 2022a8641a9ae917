// The OpenAPI 3.1 document, generated from the same route declarations the server validates
// with (zod 4's own JSON Schema output, draft 2020-12, which OpenAPI 3.1 uses as is). Schemas
// named with .meta({ id }) become components; a schema whose request form differs from its
// response form (defaults, transforms) gets a second component named <id>Input.
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { errorBodySchema } from './errors.ts';
import type { AnyRoute } from './route.ts';

type JsonSchema = Record<string, unknown>;

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

function isZodObject(schema: z.ZodType): schema is z.ZodObject {
  return schema instanceof z.ZodObject;
}

export function buildOpenApi(routes: readonly AnyRoute[], info: OpenApiInfo): Record<string, unknown> {
  const components: Record<string, JsonSchema> = {};

  function register(name: string, schema: JsonSchema): string {
    const existing = components[name];
    if (existing === undefined || isDeepStrictEqual(existing, schema)) {
      components[name] = schema;
      return name;
    }
    return register(`${name}Input`, schema);
  }

  /** A JSON Schema for one zod schema, its named parts moved to components. */
  function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
    }) as JsonSchema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    delete json.$schema;
    const renamed = new Map<string, string>();
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (value && typeof value === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
          out[k] =
            k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')
              ? `#/components/schemas/${renamed.get(v.slice(8)) ?? v.slice(8)}`
              : rewrite(v);
        }
        return out;
      }
      return value;
    };
    // Registered with their references already pointing at components: compared raw, a named
    // schema holding another named one never equalled its earlier copy and was registered again
    // on every use (DeviceInput, DeviceInputInput, ...).
    for (const [name, def] of Object.entries(defs))
      renamed.set(name, register(name, rewrite(def) as JsonSchema));
    // A def that refers to one renamed after it was registered gets the final name.
    for (const [name, final] of renamed) components[final] = rewrite(defs[name]) as JsonSchema;
    return rewrite(json) as JsonSchema;
  }

  function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): unknown[] {
    if (!schema || !isZodObject(schema)) return [];
    let json = toSchema(schema, 'input');
    // A named query schema (.meta({ id })) comes back as a $ref to its component: parameters
    // are listed one by one, so read the properties from the component itself.
    const ref = typeof json.$ref === 'string' ? json.$ref.replace('#/components/schemas/', '') : undefined;
    if (ref !== undefined) json = components[ref] ?? json;
    const props = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    return Object.entries(props).map(([name, s]) => ({
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof s.description === 'string' ? { description: s.description } : {}),
      schema: s,
    }));
  }

  const errorContent = { 'application/json': { schema: toSchema(errorBodySchema, 'output') } };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      const content: Record<string, unknown> = {};
      if (spec.schema) content['application/json'] = { schema: toSchema(spec.schema, 'output') };
      for (const [type, schema] of Object.entries(spec.alternatives ?? {})) {
        content[type] = { schema: toSchema(schema, 'output') };
      }
      responses[status] = {
        description: spec.description,
        ...(Object.keys(content).length > 0 ? { content } : {}),
      };
    }
    // Every route can answer 400 for a malformed path or framing and 500 for a bug; a route
    // with a body also 413 and 415. The server does this for each route, so each documents it.
    const implied: Record<string, string> = {
      400: 'The request is malformed or does not match the schema',
      500: 'An unexpected error; logged with the x-request-id of the answer',
      ...(route.body
        ? { 413: 'The body is larger than HTTP_MAX_BODY_BYTES', 415: 'The body is not application/json' }
        : {}),
    };
    for (const [status, description] of Object.entries(implied)) {
      responses[status] ??= { description, content: errorContent };
    }
    const operation: Record<string, unknown> = {
      operationId: route.id,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      security: route.access === 'public' ? [] : [{ bearer: [] }],
      ...(route.access === 'public' ? {} : { 'x-roles': route.access }),
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content:
                route.bodyFormat === 'csv'
                  ? {
                      'text/csv': {
                        schema: { type: 'string', description: 'a CSV file, UTF-8, header row first' },
                      },
                    }
                  : { 'application/json': { schema: toSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
    paths[route.path] = { ...paths[route.path], [route.method]: operation };
  }

  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
