// The embedded database served to child processes over their IPC channel, against a real
// PGlite: statements, transactions that span messages (row-level security included), errors
// with their SQLSTATE, LISTEN, and a child that dies or stalls inside a transaction.
import { DeviceRegistry, inTenant, migrate, openDatabase, type SqlDatabase } from '@fleet/shared/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpcChannel, IpcMessage } from '../src/ipc.ts';
import { DatabaseServer, openIpcDatabase } from '../src/ipc-database.ts';

/** Two ends of a channel with structured-clone copies in between, as Node's advanced IPC. */
function channelPair(): [IpcChannel, IpcChannel, { cut(): void }] {
  const handlers: [Set<(m: IpcMessage) => void>, Set<(m: IpcMessage) => void>] = [new Set(), new Set()];
  let cut = false;
  const end = (me: 0 | 1): IpcChannel => ({
    send(m) {
      if (cut) return;
      const copy = structuredClone(m);
      setImmediate(() => {
        for (const h of handlers[me === 0 ? 1 : 0]) h(copy);
      });
    },
    onMessage(h) {
      handlers[me].add(h);
      return () => handlers[me].delete(h);
    },
  });
  return [end(0), end(1), { cut: () => (cut = true) }];
}

let db: SqlDatabase;
let server: DatabaseServer;
const timeouts: string[] = [];

beforeAll(async () => {
  db = await openDatabase({ pgliteDir: 'memory://' });
  await migrate(db);
  server = new DatabaseServer(db, { maxTransactionMs: 500, onTransactionTimeout: (c) => timeouts.push(c) });
});
afterAll(() => db.close());

function connect(name: string) {
  const [childEnd, launcherEnd, link] = channelPair();
  const detach = server.attach(launcherEnd, name);
  const client = openIpcDatabase(childEnd, { requestTimeoutMs: 5000 });
  return { client, detach, link };
}

describe('the database over IPC', () => {
  it('runs statements with parameters, Dates and byte arrays intact', async () => {
    const { client } = connect('a');
    const at = new Date('2026-12-01T12:00:00Z');
    const rows = await client.query<{ at: Date; bytes: Uint8Array; n: number }>(
      'select $1::timestamptz as at, $2::bytea as bytes, $3::int as n',
      [at, new Uint8Array([1, 2, 255]), 7],
    );
    expect(rows[0]?.at).toEqual(at);
    expect([...(rows[0]?.bytes ?? [])]).toEqual([1, 2, 255]);
    expect(rows[0]?.n).toBe(7);
  });

  it('keeps a transaction whole across messages: row-level security sees the same transaction', async () => {
    const { client } = connect('b');
    const registry = new DeviceRegistry(client);
    const org = await registry.ensureOrganisation('ipc-org');
    const other = await registry.ensureOrganisation('ipc-other');
    await new DeviceRegistry(client).provision({ orgId: org.id, name: 'van 1', kind: 'vehicle' });
    await new DeviceRegistry(client).provision({ orgId: other.id, name: 'van 2', kind: 'vehicle' });
    const seen = await inTenant(client, org.id, (tx) =>
      tx.query<{ name: string }>('select name from devices'),
    );
    expect(seen.map((r) => r.name)).toEqual(['van 1']);
  });

  it('rolls back when the function throws, and carries SQLSTATE codes (23505 is a duplicate)', async () => {
    const { client } = connect('c');
    await client.exec('create table if not exists ipc_t (id int primary key)');
    await expect(
      client.transaction(async (tx) => {
        await tx.query('insert into ipc_t values (1)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await client.query('select * from ipc_t')).toEqual([]);
    await client.query('insert into ipc_t values (2)');
    const dup = await client.query('insert into ipc_t values (2)').catch((e: unknown) => e);
    expect((dup as { code?: string }).code).toBe('23505');
  });

  it('a child that dies inside a transaction is rolled back and frees the database for the others', async () => {
    const dying = connect('dying');
    const alive = connect('alive');
    await dying.client.exec('create table if not exists ipc_u (id int)');
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    void dying.client
      .transaction(async (tx) => {
        await tx.query('insert into ipc_u values (1)');
        entered();
        await new Promise(() => {}); // never finishes: the process is about to die
      })
      .catch(() => {});
    await inside;
    dying.link.cut();
    await dying.detach(); // what the launcher does when the child exits
    expect(await alive.client.query('select * from ipc_u')).toEqual([]);
  });

  it('a transaction held open past the limit is rolled back (a stalled child cannot hold the database)', async () => {
    const stalled = connect('stalled');
    const other = connect('other');
    await stalled.client.exec('create table if not exists ipc_v (id int)');
    const result = stalled.client.transaction(async (tx) => {
      await tx.query('insert into ipc_v values (1)');
      await new Promise((r) => setTimeout(r, 1500));
      await tx.query('insert into ipc_v values (2)');
    });
    await expect(result).rejects.toThrow(/not open/);
    expect(timeouts).toContain('stalled');
    expect(await other.client.query('select * from ipc_v')).toEqual([]);
  });

  it('LISTEN through the launcher delivers NOTIFY payloads until unlistened', async () => {
    const { client } = connect('listener');
    const got: string[] = [];
    const stop = await client.listen('ipc_channel', (p) => got.push(p));
    await db.query("select pg_notify('ipc_channel', 'hello')");
    await expect.poll(() => got).toEqual(['hello']);
    await stop();
    await db.query("select pg_notify('ipc_channel', 'again')");
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(['hello']);
  });

  it('a request the launcher never answers fails after its timeout', async () => {
    const [childEnd] = channelPair(); // nobody serves the other end
    const client = openIpcDatabase(childEnd, { requestTimeoutMs: 100 });
    await expect(client.query('select 1')).rejects.toThrow(/did not answer/);
  });
});
