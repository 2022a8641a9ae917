// Work orders against the real API and database: opened by hand, for a plan, from a DTC alert
// (its code and description attached, the alert's timeline told) and from a defect report;
// the states and their 409s; money exact in the organisation's currency, with negative, float,
// over-precise and other-currency amounts refused naming the field and nothing half-written;
// completion checked against the meters; attachments checked by their bytes; the history from
// the audit log; generated garbage never a 5xx; roles; another organisation's are 404.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({ MAINTENANCE_FLUSH_MS: 60_000 });
});
afterAll(() => t?.close());

interface ErrorReply {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}
interface Line {
  id: string;
  kind: string;
  quantity: number;
  unitCost: string;
  total: string;
}
interface WorkOrder {
  id: string;
  number: number;
  reference: string;
  state: string;
  source: string;
  title: string;
  planId: string | null;
  alertId: string | null;
  dtcCode: string | null;
  dtcDescription: string | null;
  priority: string;
  currency: string;
  odometerKm: number | null;
  startedAt: string | null;
  completedAt: string | null;
  totals: { parts: string; labour: string; other: string; total: string };
  lines: Line[];
  tasks: { id: string; label: string; done: boolean }[];
  notes: { body: string; authorName: string | null }[];
  attachments: { id: string; fileName: string; contentType: string; bytes: number }[];
}

const run = randomUUID().slice(0, 6);
const manager = () => t.orgA.users.fleet_manager.token;
const mechanic = () => t.orgA.users.mechanic.token;
const viewer = () => t.orgA.users.viewer.token;
let n = 0;

async function ok<T>(method: string, path: string, token: string, body?: unknown, status = 200): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 400)}`).toBe(status);
  return res.body;
}
const vehicle = (name: string) =>
  ok<{ id: string }>('POST', '/api/v1/vehicles', manager(), { name, plate: `WO-${run}-${++n}` }, 201);
const open = (body: Record<string, unknown>, token = mechanic()) =>
  ok<WorkOrder>('POST', '/api/v1/work-orders', token, body, 201);
const move = (id: string, body: Record<string, unknown>) =>
  t.request<WorkOrder & ErrorReply>('POST', `/api/v1/work-orders/${id}/state`, { token: mechanic(), body });
const addLine = (id: string, body: Record<string, unknown>) =>
  t.request<WorkOrder & ErrorReply>('POST', `/api/v1/work-orders/${id}/lines`, { token: mechanic(), body });

describe('work orders', () => {
  it('go open -> in progress <-> on hold -> completed; finished ones are final', async () => {
    const van = await vehicle(`States van ${run}`);
    const wo = await open({ assetId: van.id, title: 'Brake noise', tasks: ['Check pads', 'Test drive'] });
    expect(wo).toMatchObject({
      state: 'open',
      source: 'manual',
      currency: 'EUR',
      reference: `WO-${wo.number}`,
    });
    expect(wo.tasks.map((x) => x.label)).toEqual(['Check pads', 'Test drive']);
    const started = await move(wo.id, { state: 'in_progress' });
    expect(started.body.startedAt).not.toBeNull();
    expect((await move(wo.id, { state: 'in_progress' })).status).toBe(409);
    expect((await move(wo.id, { state: 'on_hold' })).body.state).toBe('on_hold');
    expect((await move(wo.id, { state: 'in_progress' })).body.state).toBe('in_progress');
    const task = wo.tasks[0]?.id;
    const ticked = await ok<WorkOrder>('PATCH', `/api/v1/work-orders/${wo.id}/tasks/${task}`, mechanic(), {
      done: true,
    });
    expect(ticked.tasks[0]?.done).toBe(true);
    const done = await move(wo.id, { state: 'completed', resolution: 'Pads replaced' });
    expect(done.body).toMatchObject({ state: 'completed' });
    for (const state of ['open', 'in_progress', 'cancelled']) {
      const res = await move(wo.id, { state });
      expect(res.status, state).toBe(409);
      expect(res.body.error.message).toContain('final');
    }
    expect(
      (await t.request('PATCH', `/api/v1/work-orders/${wo.id}`, { token: mechanic(), body: { title: 'x' } }))
        .status,
    ).toBe(409);
    expect(
      (await addLine(wo.id, { kind: 'part', description: 'x', quantity: 1, unitCost: '1.00' })).status,
    ).toBe(409);
    // A note may still be added afterwards.
    const noted = await ok<WorkOrder>(
      'POST',
      `/api/v1/work-orders/${wo.id}/notes`,
      mechanic(),
      { body: 'Squeal gone' },
      201,
    );
    expect(noted.notes.at(-1)).toMatchObject({ body: 'Squeal gone' });
    const cancelled = await open({ assetId: van.id, title: 'Wipers' });
    expect((await move(cancelled.id, { state: 'cancelled', resolution: 'Driver fixed it' })).body.state).toBe(
      'cancelled',
    );
  });

  it('keep money exact in the organisation currency; bad amounts are refused naming the field, nothing half-written', async () => {
    const van = await vehicle(`Money van ${run}`);
    const wo = await open({ assetId: van.id, title: 'Service' });
    expect(
      (await addLine(wo.id, { kind: 'part', description: 'Bolt', quantity: 3, unitCost: '0.10' })).status,
    ).toBe(201);
    expect(
      (await addLine(wo.id, { kind: 'labour', description: 'Fitting', quantity: 1.5, unitCost: '45.00' }))
        .status,
    ).toBe(201);
    const r = await addLine(wo.id, {
      kind: 'other',
      description: 'Disposal',
      quantity: 0.333,
      unitCost: '10.01',
      currency: 'EUR',
    });
    expect(r.status).toBe(201);
    // 3 x 0.10 = 0.30 exactly (0.1 + 0.1 + 0.1 in floating point is not), 1.5 h x 45 = 67.50,
    // 0.333 x 10.01 = 3.33333 -> 3.33.
    expect(r.body.totals).toEqual({ parts: '0.30', labour: '67.50', other: '3.33', total: '71.13' });
    expect(r.body.lines.map((l) => l.total)).toEqual(['0.30', '67.50', '3.33']);
    const bad: [Record<string, unknown>, string][] = [
      [{ kind: 'part', description: 'Neg', quantity: 1, unitCost: '-5.00' }, 'body.unitCost'],
      [{ kind: 'part', description: 'Float', quantity: 1, unitCost: 5.5 }, 'body.unitCost'],
      [{ kind: 'part', description: 'Mills', quantity: 1, unitCost: '5.555' }, 'body.unitCost'],
      [{ kind: 'part', description: 'Exp', quantity: 1, unitCost: '1e3' }, 'body.unitCost'],
      [
        { kind: 'part', description: 'Kronor', quantity: 1, unitCost: '5.00', currency: 'SEK' },
        'body.currency',
      ],
      [{ kind: 'part', description: 'Zero', quantity: 0, unitCost: '5.00' }, 'body.quantity'],
      [{ kind: 'part', description: 'Fine', quantity: 1.0001, unitCost: '5.00' }, 'body.quantity'],
      [{ kind: 'tyre', description: 'Kind', quantity: 1, unitCost: '5.00' }, 'body.kind'],
    ];
    for (const [body, path] of bad) {
      const res = await addLine(wo.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        res.body.error.details?.map((d) => d.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    const after = await ok<WorkOrder>('GET', `/api/v1/work-orders/${wo.id}`, viewer());
    expect(after.lines).toHaveLength(3);
    expect(after.totals.total).toBe('71.13');
    const removed = await ok<WorkOrder>(
      'DELETE',
      `/api/v1/work-orders/${wo.id}/lines/${after.lines[0]?.id}`,
      mechanic(),
    );
    expect(removed.totals.total).toBe('70.83');
  });

  it('for a plan: at most one unfinished per asset; completion below the last reading is refused and changes nothing', async () => {
    const van = await vehicle(`Plan van ${run}`);
    const plan = await ok<{ id: string }>(
      'POST',
      '/api/v1/service-plans',
      manager(),
      { name: `Oil ${run}`, items: ['Oil', 'Filter'], intervalKm: 20000, appliesTo: { assetIds: [van.id] } },
      201,
    );
    expect(
      (
        await t.request('POST', `/api/v1/assets/${van.id}/meter-readings`, {
          token: mechanic(),
          body: { meter: 'odometer', value: 50000, readAt: new Date(Date.now() - 86_400_000).toISOString() },
        })
      ).status,
    ).toBe(201);
    const wo = await open({ assetId: van.id, planId: plan.id });
    expect(wo).toMatchObject({ title: `Oil ${run}`, source: 'service_due', planId: plan.id });
    expect(wo.tasks.map((x) => x.label)).toEqual(['Oil', 'Filter']);
    const second = await t.request<ErrorReply>('POST', '/api/v1/work-orders', {
      token: mechanic(),
      body: { assetId: van.id, planId: plan.id },
    });
    expect(second.status).toBe(409);
    const below = await move(wo.id, { state: 'completed', odometerKm: 49000 });
    expect(below.status).toBe(400);
    expect(below.body.error.details?.[0]).toMatchObject({ path: 'body.odometerKm' });
    expect(below.body.error.message).toContain('below the last reading');
    const still = await ok<WorkOrder>('GET', `/api/v1/work-orders/${wo.id}`, viewer());
    expect(still.state).toBe('open');
    const done = await move(wo.id, { state: 'completed', odometerKm: 50120 });
    expect(done.body).toMatchObject({ state: 'completed', odometerKm: 50120 });
    const upcoming = await ok<{
      upcoming: { planId: string; dueOdometerKm: number; lastServiceWorkOrderId: string }[];
    }>('GET', `/api/v1/assets/${van.id}/maintenance`, viewer());
    expect(upcoming.upcoming.find((s) => s.planId === plan.id)).toMatchObject({
      dueOdometerKm: 70120,
      lastServiceWorkOrderId: wo.id,
    });
    // The history of the asset: its work orders.
    const history = await ok<{ items: WorkOrder[] }>(
      'GET',
      `/api/v1/work-orders?assetId=${van.id}`,
      viewer(),
    );
    expect(history.items.map((w) => w.id)).toEqual([wo.id]);
  });

  it('from an engine-fault alert in one click: the code and its description attached, the alert told', async () => {
    const van = await vehicle(`Fault van ${run}`);
    const rows = await t.platform.db.query<{ id: string }>(
      `insert into alerts (org_id, kind, severity, title, asset_id, episode_key, active, started_at, details)
       values ($1, 'engine_fault', 'critical', 'Engine fault P0301 Cylinder 1 Misfire Detected', $2, $3, true, now(),
               '{"code":"P0301"}') returning id::text as id`,
      [t.orgA.id, van.id, `test:${randomUUID()}`],
    );
    const alertId = rows[0]?.id as string;
    const wo = await ok<WorkOrder>('POST', `/api/v1/alerts/${alertId}/work-order`, mechanic(), {}, 201);
    expect(wo).toMatchObject({
      source: 'alert',
      alertId,
      dtcCode: 'P0301',
      dtcDescription: 'Cylinder 1 Misfire Detected',
      priority: 'urgent',
      title: 'Engine fault P0301 Cylinder 1 Misfire Detected',
    });
    expect(wo.tasks.length).toBeGreaterThan(0);
    const again = await t.request<ErrorReply>('POST', `/api/v1/alerts/${alertId}/work-order`, {
      token: mechanic(),
      body: {},
    });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(`WO-${wo.number}`);
    const alert = await ok<{ activity: { action: string; note: string | null }[] }>(
      'GET',
      `/api/v1/alerts/${alertId}`,
      viewer(),
    );
    expect(alert.activity.map((a) => a.note)).toContain(`Work order WO-${wo.number} opened.`);
    expect(
      (await t.request('POST', `/api/v1/alerts/${randomUUID()}/work-order`, { token: mechanic(), body: {} }))
        .status,
    ).toBe(404);
  });

  it("from a driver's defect report by anyone but viewers; other work orders by the workshop and owners", async () => {
    const van = await vehicle(`Defect van ${run}`);
    const driver = await ok<{ id: string }>(
      'POST',
      '/api/v1/drivers',
      manager(),
      { name: `Driver ${run}` },
      201,
    );
    const report = await open(
      {
        assetId: van.id,
        source: 'defect_report',
        driverId: driver.id,
        title: 'Cracked mirror',
        description: 'Left mirror cracked',
      },
      t.orgA.users.dispatcher.token,
    );
    expect(report).toMatchObject({ source: 'defect_report' });
    const noText = await t.request<ErrorReply>('POST', '/api/v1/work-orders', {
      token: t.orgA.users.dispatcher.token,
      body: { assetId: van.id, source: 'defect_report', title: 'Something' },
    });
    expect(noText.status).toBe(400);
    expect(noText.body.error.details?.[0]?.path).toBe('body.description');
    expect(
      (
        await t.request('POST', '/api/v1/work-orders', {
          token: t.orgA.users.dispatcher.token,
          body: { assetId: van.id, title: 'x' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.request('POST', '/api/v1/work-orders', {
          token: viewer(),
          body: { assetId: van.id, source: 'defect_report', title: 'x', description: 'y' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.request('POST', `/api/v1/work-orders/${report.id}/state`, {
          token: viewer(),
          body: { state: 'in_progress' },
        })
      ).status,
    ).toBe(403);
  });

  it('take attachments checked by their bytes, and tell their history from the audit log', async () => {
    const van = await vehicle(`File van ${run}`);
    const wo = await open({ assetId: van.id, title: 'Windscreen' });
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    );
    const attached = await ok<WorkOrder>(
      'POST',
      `/api/v1/work-orders/${wo.id}/attachments`,
      mechanic(),
      { fileName: 'crack.png', contentType: 'image/png', dataBase64: png.toString('base64') },
      201,
    );
    expect(attached.attachments[0]).toMatchObject({
      fileName: 'crack.png',
      contentType: 'image/png',
      bytes: png.length,
    });
    const lie = await t.request<ErrorReply>('POST', `/api/v1/work-orders/${wo.id}/attachments`, {
      token: mechanic(),
      body: { fileName: 'x.pdf', contentType: 'application/pdf', dataBase64: png.toString('base64') },
    });
    expect(lie.status).toBe(400);
    expect(lie.body.error.message).toContain('image/png');
    const file = await ok<{ dataUrl: string }>(
      'GET',
      `/api/v1/work-orders/${wo.id}/attachments/${attached.attachments[0]?.id}`,
      viewer(),
    );
    expect(file.dataUrl).toBe(`data:image/png;base64,${png.toString('base64')}`);
    await addLine(wo.id, { kind: 'part', description: 'Glass', quantity: 1, unitCost: '300.00' });
    await ok('PATCH', `/api/v1/work-orders/${wo.id}`, mechanic(), { priority: 'high' });
    await move(wo.id, { state: 'in_progress' });
    const history = await ok<{
      items: { entity: string; action: string; actor: string; after: Record<string, unknown> | null }[];
    }>('GET', `/api/v1/work-orders/${wo.id}/history`, viewer());
    const steps = history.items.map((h) => `${h.entity}:${h.action}`);
    expect(steps).toEqual(
      expect.arrayContaining([
        'work_order:create',
        'work_order_attachment:create',
        'work_order_line:create',
        'work_order:update',
      ]),
    );
    const priority = history.items.find(
      (h) => h.entity === 'work_order' && h.action === 'update' && h.after?.priority,
    );
    expect(priority?.after?.priority).toBe('high');
    expect(priority?.actor).toContain('mechanic');
    // The attachment's bytes are not copied into the audit log.
    const att = history.items.find((h) => h.entity === 'work_order_attachment');
    expect(att?.after?.bytes).toBe('[secret]');
  });

  it('generated garbage on the line route is a 4xx, never a 5xx, and writes nothing', async () => {
    const van = await vehicle(`Fuzz van ${run}`);
    const wo = await open({ assetId: van.id, title: 'Fuzz' });
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            kind: fc.oneof(fc.constantFrom('part', 'labour', 'other'), fc.string()),
            description: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()),
            quantity: fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null)),
            unitCost: fc.oneof(
              fc.string({ maxLength: 20 }),
              fc.double(),
              fc.constantFrom('-1', '1.2.3', '١٢٣', '99999999999999'),
            ),
            currency: fc.oneof(fc.constantFrom('EUR', 'SEK', 'eur', ''), fc.string({ maxLength: 5 })),
          },
          { requiredKeys: [] },
        ),
        async (body) => {
          const res = await addLine(wo.id, body);
          expect(res.status).toBeLessThan(500);
          if (res.status !== 201) expect(res.status).toBe(400);
        },
      ),
      { seed: 1, numRuns: 200 },
    );
    const lines = await t.platform.db.query<{ unit_cost_minor: string }>(
      'select unit_cost_minor::text as unit_cost_minor from work_order_lines where work_order_id = $1',
      [wo.id],
    );
    for (const l of lines) expect(BigInt(l.unit_cost_minor) >= 0n).toBe(true);
  });
});

describe('another organisation', () => {
  it("never sees or touches this one's work orders, and cannot point its own at this one's assets or people", async () => {
    const van = await vehicle(`Private van ${run}`);
    const wo = await open({ assetId: van.id, title: 'Private', tasks: ['One'] });
    const withLine = await addLine(wo.id, {
      kind: 'part',
      description: 'Bolt',
      quantity: 1,
      unitCost: '1.00',
    });
    const lineId = withLine.body.lines[0]?.id;
    const png =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const attached = await ok<WorkOrder>(
      'POST',
      `/api/v1/work-orders/${wo.id}/attachments`,
      mechanic(),
      {
        fileName: 'a.png',
        contentType: 'image/png',
        dataBase64: png,
      },
      201,
    );
    const attachmentId = attached.attachments[0]?.id;
    const alert = await t.platform.db.query<{ id: string }>(
      `insert into alerts (org_id, kind, severity, title, asset_id, episode_key, active, started_at, details)
       values ($1, 'engine_fault', 'warning', 'Engine fault P0171', $2, $3, true, now(), '{"code":"P0171"}')
       returning id::text as id`,
      [t.orgA.id, van.id, `test:${randomUUID()}`],
    );
    const other = t.orgB.users.admin.token;
    for (const [method, path, body] of [
      ['GET', `/api/v1/work-orders/${wo.id}`, undefined],
      ['PATCH', `/api/v1/work-orders/${wo.id}`, { title: 'Taken' }],
      ['POST', `/api/v1/work-orders/${wo.id}/state`, { state: 'cancelled' }],
      [
        'POST',
        `/api/v1/work-orders/${wo.id}/lines`,
        { kind: 'part', description: 'x', quantity: 1, unitCost: '1.00' },
      ],
      ['POST', `/api/v1/work-orders/${wo.id}/tasks`, { label: 'x' }],
      ['PATCH', `/api/v1/work-orders/${wo.id}/tasks/${wo.tasks[0]?.id}`, { done: true }],
      ['POST', `/api/v1/work-orders/${wo.id}/notes`, { body: 'x' }],
      ['GET', `/api/v1/work-orders/${wo.id}/history`, undefined],
      ['DELETE', `/api/v1/work-orders/${wo.id}/lines/${lineId}`, undefined],
      [
        'POST',
        `/api/v1/work-orders/${wo.id}/attachments`,
        { fileName: 'b.png', contentType: 'image/png', dataBase64: png },
      ],
      ['GET', `/api/v1/work-orders/${wo.id}/attachments/${attachmentId}`, undefined],
      ['DELETE', `/api/v1/work-orders/${wo.id}/attachments/${attachmentId}`, undefined],
      ['POST', `/api/v1/alerts/${alert[0]?.id}/work-order`, {}],
    ] as const) {
      const res = await t.request(method, path, { token: other, ...(body === undefined ? {} : { body }) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const list = await t.request<{ items: WorkOrder[] }>('GET', '/api/v1/work-orders', { token: other });
    expect(list.body.items.some((w) => w.id === wo.id)).toBe(false);
    const theirs = await t.request<ErrorReply>('POST', '/api/v1/work-orders', {
      token: other,
      body: { assetId: van.id, title: 'x' },
    });
    expect(theirs.status).toBe(400);
    expect(theirs.body.error.details?.[0]?.path).toBe('body.assetId');
    const own = await ok<{ id: string }>('POST', '/api/v1/vehicles', other, { name: `B van ${run}` }, 201);
    const foreignAssignee = await t.request<ErrorReply>('POST', '/api/v1/work-orders', {
      token: other,
      body: { assetId: own.id, title: 'x', assigneeId: t.orgA.users.mechanic.id },
    });
    expect(foreignAssignee.status).toBe(400);
    expect(foreignAssignee.body.error.details?.[0]?.path).toBe('body.assigneeId');
    const after = await ok<WorkOrder>('GET', `/api/v1/work-orders/${wo.id}`, viewer());
    expect(after).toMatchObject({ title: 'Private', state: 'open' });
    expect(after.lines).toHaveLength(1);
    expect(after.attachments).toHaveLength(1);
  });
});
