// Reads from QuestDB fail loudly: an answer that is not JSON is an error, never an empty
// result; raw control characters in stored text (older rows) do not break the answer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuestDbHttp, QuestDbQueryError } from '../src/questdb/http.ts';

let server: Server;
let url: string;
let nextAnswer = { status: 200, body: '' };

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(nextAnswer.status, { 'content-type': 'application/json' });
    res.end(nextAnswer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('QuestDbHttp.exec', () => {
  it('throws on an answer that is not JSON instead of returning no rows', async () => {
    nextAnswer = { status: 200, body: '{"columns":[{"name":"x"' };
    const err = await new QuestDbHttp(url).exec('select 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuestDbQueryError);
    expect((err as QuestDbQueryError).code).toBe('questdb_bad_answer');
  });

  it('reads rows whose text holds raw control characters', async () => {
    nextAnswer = {
      status: 200,
      body: '{"columns":[{"name":"detail","type":"VARCHAR"}],"dataset":[["a\u0000b\u001bc"]],"count":1}',
    };
    const rows = await new QuestDbHttp(url).rows<{ detail: string }>('select detail');
    expect(rows).toEqual([{ detail: 'a\u0000b\u001bc' }]);
  });

  it('names the query error QuestDB reports', async () => {
    nextAnswer = { status: 400, body: '{"error":"table does not exist"}' };
    await expect(new QuestDbHttp(url).exec('select * from nope')).rejects.toThrow(/table does not exist/);
  });

  it('an unreachable QuestDB is its own code (the API answers 503 for it)', async () => {
    const err = await new QuestDbHttp('http://127.0.0.1:1').exec('select 1').catch((e: unknown) => e);
    expect((err as QuestDbQueryError).code).toBe('questdb_unreachable');
  });
});
