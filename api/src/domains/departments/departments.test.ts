// Departments against the real API and database: the tree, moves that would make a cycle,
// names unique among siblings, members, and isolation between organisations.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

interface DepartmentBody {
  id: string;
  parentId: string | null;
  name: string;
  path: string[];
  users: number;
}
type ErrorBody = { error: { code: string; details?: { path: string }[] } };

const admin = () => t.orgA.users.admin.token;

async function create(name: string, parentId?: string | null, token = admin()) {
  return t.request<DepartmentBody & ErrorBody>('POST', '/api/v1/departments', {
    token,
    body: parentId === undefined ? { name } : { name, parentId },
  });
}

describe('departments', () => {
  it('form a tree with paths; siblings have distinct names, cousins may share them', async () => {
    const production = (await create('Production')).body;
    const lighting = (await create('Lighting', production.id)).body;
    expect(lighting).toMatchObject({ parentId: production.id, path: ['Production', 'Lighting'], users: 0 });
    const camera = (await create('Camera', production.id)).body;
    const rental = (await create('Rental')).body;
    expect((await create('Lighting', rental.id)).status).toBe(201); // a cousin of the same name
    expect((await create('Lighting', production.id)).status).toBe(409);
    expect((await create('Production')).status).toBe(409);
    const list = await t.request<{ items: DepartmentBody[] }>('GET', '/api/v1/departments', {
      token: t.orgA.users.viewer.token,
    });
    const paths = list.body.items.map((d) => d.path.join(' > '));
    expect(paths).toEqual(
      expect.arrayContaining(['Production', 'Production > Camera', 'Production > Lighting']),
    );
    expect(paths.indexOf('Production')).toBeLessThan(paths.indexOf('Production > Lighting'));
    // Rename and move (to the top with parentId null).
    const moved = await t.request<DepartmentBody>('PATCH', `/api/v1/departments/${camera.id}`, {
      token: admin(),
      body: { name: 'Camera dept', parentId: rental.id },
    });
    expect(moved.body.path).toEqual(['Rental', 'Camera dept']);
    const top = await t.request<DepartmentBody>('PATCH', `/api/v1/departments/${camera.id}`, {
      token: admin(),
      body: { parentId: null },
    });
    expect(top.body).toMatchObject({ parentId: null, path: ['Camera dept'] });
  });

  it('refuse a move below itself or its own sub-department, and trees deeper than 10', async () => {
    const a = (await create(`A-${randomUUID().slice(0, 4)}`)).body;
    const b = (await create('B', a.id)).body;
    const c = (await create('C', b.id)).body;
    for (const parentId of [a.id, b.id, c.id]) {
      const res = await t.request<ErrorBody>('PATCH', `/api/v1/departments/${a.id}`, {
        token: admin(),
        body: { parentId },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details?.[0]?.path).toBe('body.parentId');
    }
    let parent = c.id;
    const statuses: number[] = [];
    for (let depth = 4; depth <= 11; depth++) {
      const res = await create(`L${depth}`, parent);
      statuses.push(res.status);
      if (res.status === 201) parent = res.body.id;
    }
    expect(statuses.slice(0, 7)).toEqual([201, 201, 201, 201, 201, 201, 201]);
    expect(statuses[7]).toBe(400);
  });

  it('have members: users join one, lists filter by it and its sub-departments, and a non-empty one stays', async () => {
    const ops = (await create(`Ops-${randomUUID().slice(0, 4)}`)).body;
    const night = (await create('Night shift', ops.id)).body;
    const user = await t.request<{ id: string; departmentId: string | null }>('POST', '/api/v1/users', {
      token: admin(),
      body: {
        email: `night.${randomUUID().slice(0, 6)}@example.test`,
        name: 'Night dispatcher',
        role: 'dispatcher',
        password: 'a long enough password',
        departmentId: night.id,
      },
    });
    expect(user.body.departmentId).toBe(night.id);
    const inOps = await t.request<{ items: { id: string }[] }>(
      'GET',
      `/api/v1/users?departmentId=${ops.id}`,
      {
        token: admin(),
      },
    );
    expect(inOps.body.items.map((u) => u.id)).toEqual([user.body.id]);
    expect(
      (await t.request<DepartmentBody>('GET', `/api/v1/departments/${night.id}`, { token: admin() })).body
        .users,
    ).toBe(1);
    expect((await t.request('DELETE', `/api/v1/departments/${night.id}`, { token: admin() })).status).toBe(
      409,
    );
    expect((await t.request('DELETE', `/api/v1/departments/${ops.id}`, { token: admin() })).status).toBe(409);
    const out = await t.request<{ departmentId: string | null }>('PATCH', `/api/v1/users/${user.body.id}`, {
      token: admin(),
      body: { departmentId: null },
    });
    expect(out.body.departmentId).toBeNull();
    expect((await t.request('DELETE', `/api/v1/departments/${night.id}`, { token: admin() })).status).toBe(
      200,
    );
    expect((await t.request('GET', `/api/v1/departments/${night.id}`, { token: admin() })).status).toBe(404);
  });

  it("belong to one organisation: another's ids are 404, and cannot be a parent or a user's department", async () => {
    const mine = (await create(`Mine-${randomUUID().slice(0, 4)}`)).body;
    const b = t.orgB.users.admin.token;
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: 'stolen' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await t.request(method, `/api/v1/departments/${mine.id}`, {
        token: b,
        ...(body ? { body } : {}),
      });
      expect(res.status, method).toBe(404);
    }
    const child = await create('Hanger-on', mine.id, b);
    expect(child.status).toBe(400);
    expect(child.body.error.details?.[0]?.path).toBe('body.parentId');
    const user = await t.request<ErrorBody>('POST', '/api/v1/users', {
      token: b,
      body: {
        email: `x.${randomUUID().slice(0, 6)}@example.test`,
        name: 'X',
        role: 'viewer',
        password: 'a long enough password',
        departmentId: mine.id,
      },
    });
    expect(user.status).toBe(400);
    expect(user.body.error.details?.[0]?.path).toBe('body.departmentId');
    expect((await t.request('GET', `/api/v1/departments/${mine.id}`, { token: admin() })).status).toBe(200);
  });

  it('are shaped by administrators only, and refuse garbage with the field named', async () => {
    expect((await create('Nope', undefined, t.orgA.users.dispatcher.token)).status).toBe(403);
    expect((await create('Nope', undefined, t.orgA.users.fleet_manager.token)).status).toBe(403);
    for (const body of [
      { name: '' },
      { name: 'x'.repeat(101) },
      { name: 42 },
      { name: 'ok', parentId: 'not-a-uuid' },
      { name: 'ok', orgId: randomUUID() },
      { name: 'ok', parentId: randomUUID() },
    ]) {
      const res = await t.request<ErrorBody>('POST', '/api/v1/departments', { token: admin(), body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details?.[0]?.path, JSON.stringify(body)).toMatch(/^body/);
    }
    expect(
      (
        await t.request('PATCH', `/api/v1/departments/${randomUUID()}`, {
          token: admin(),
          body: { name: 'x' },
        })
      ).status,
    ).toBe(404);
    expect(
      (await t.request('PATCH', `/api/v1/departments/${randomUUID()}`, { token: admin(), body: {} })).status,
    ).toBe(400);
  });
});
