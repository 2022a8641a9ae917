// The console's contract (api/src/contract.ts) names routes and schemas; this keeps it honest:
// every endpoint exists, and its body and success schemas are the very ones the route declares.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/api-support.ts';
import { consoleEndpoints } from '../src/contract.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => {
  await t?.close();
});

it.each(Object.entries(consoleEndpoints))('%s is a route with these schemas', (key, schemas) => {
  const [method, path] = key.split(' ');
  const route = t.api.routes.find((r) => r.method.toUpperCase() === method && r.path === path);
  expect(route, key).toBeDefined();
  const success = Object.entries(route?.responses ?? {}).find(([status]) => Number(status) < 300)?.[1];
  expect(success?.schema).toBe(schemas.response);
  expect(route?.body).toBe('body' in schemas ? schemas.body : undefined);
});
