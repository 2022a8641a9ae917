// Uploads through the console's API client (ApiClient.upload, a CSV import), without a server:
// the file goes as it is with its content type and the access token (renewed once on a 401, as
// call() does), the JSON answer comes back, and a refusal is the ApiRequestError with the API's
// details a call throws.
import { describe, expect, it } from 'vitest';
import { ApiClient, type TokenSource } from '../src/lib/api/client.ts';
import { ApiRequestError } from '../src/lib/api/errors.ts';

interface Sent {
  url: string;
  headers: Headers;
  body: Promise<string>;
}

function client(answers: Response[], tokens: TokenSource) {
  const sent: Sent[] = [];
  const api = new ApiClient({
    origin: 'http://platform.test',
    tokens,
    fetch: async (input, init) => {
      sent.push({
        url: String(input),
        headers: new Headers(init?.headers),
        body: new Response(init?.body ?? null).text(),
      });
      const next = answers.shift();
      if (!next) throw new Error('no more answers');
      return next;
    },
  });
  return { api, sent };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function renewing(first: string, next: string): TokenSource {
  let token = first;
  return {
    current: () => token,
    async renew() {
      token = next;
      return next;
    },
  };
}

describe('upload', () => {
  it('sends the file as it is with its type and the token, renewed once after a 401', async () => {
    const summary = { dryRun: true, rows: 2, created: 1, updated: 1 };
    const { api, sent } = client(
      [json(401, { error: { code: 'token_expired', message: 'expired' } }), json(200, summary)],
      renewing('old', 'new'),
    );
    const file = new Blob(['name;plate\r\nVan 1;ABC-1\r\n'], { type: 'text/csv' });
    const answer = await api.upload('POST /api/v1/vehicles/import', {
      file,
      contentType: 'text/csv',
      query: { dryRun: true },
    });
    expect(answer).toEqual(summary);
    expect(sent.map((s) => [s.url, s.headers.get('authorization'), s.headers.get('content-type')])).toEqual([
      ['http://platform.test/api/v1/vehicles/import?dryRun=true', 'Bearer old', 'text/csv'],
      ['http://platform.test/api/v1/vehicles/import?dryRun=true', 'Bearer new', 'text/csv'],
    ]);
    expect(await sent[1]?.body).toBe('name;plate\r\nVan 1;ABC-1\r\n');
  });

  it('throws the refusal with every detail the API named', async () => {
    const details = [
      { path: 'row 3.vin', message: 'the check digit …' },
      { path: 'row 4.plate', message: 'the same plate as row 2' },
    ];
    const { api } = client(
      [json(422, { error: { code: 'import_rejected', message: 'No vehicle was imported', details } })],
      renewing('t', 't'),
    );
    const refused = await api
      .upload('POST /api/v1/drivers/import', { file: new Blob(['x']), contentType: 'text/csv' })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApiRequestError);
    expect(refused).toMatchObject({ status: 422, code: 'import_rejected', details });
  });

  it('says so when the answer is not JSON', async () => {
    const { api } = client([new Response('<html>', { status: 200 })], renewing('t', 't'));
    await expect(
      api.upload('POST /api/v1/equipment/import', { file: new Blob(['x']), contentType: 'text/csv' }),
    ).rejects.toMatchObject({ code: 'bad_response' });
  });
});
