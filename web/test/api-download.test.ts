// Downloads through the console's API client (ApiClient.download, saveFile,
// attachmentFilename in lib/api/client.ts), without a server: the file is fetched with the
// access token (renewed once on a 401, as call() does), saved under the answer's filename or the
// caller's, and a refusal is the same ApiRequestError a call throws.
import { describe, expect, it } from 'vitest';
import {
  ApiClient,
  attachmentFilename,
  type LinkHost,
  saveFile,
  type TokenSource,
} from '../src/lib/api/client.ts';
import { ApiRequestError } from '../src/lib/api/errors.ts';

interface Sent {
  url: string;
  authorization: string | null;
}

function client(answers: Response[], tokens?: TokenSource) {
  const sent: Sent[] = [];
  const saved: { name: string; text: Promise<string> }[] = [];
  const api = new ApiClient({
    origin: 'http://platform.test',
    fetch: async (input, init) => {
      const headers = new Headers(init?.headers);
      sent.push({ url: String(input), authorization: headers.get('authorization') });
      const next = answers.shift();
      if (!next) throw new Error('no more answers');
      return next;
    },
    // The bytes as they came: Blob.text() would drop a byte order mark.
    save: (file, name) =>
      saved.push({
        name,
        text: file.arrayBuffer().then((b) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b)),
      }),
    ...(tokens ? { tokens } : {}),
  });
  return { api, sent, saved };
}

const tokens = (current: string, renewed?: string): TokenSource & { renewals: number } => {
  let token = current;
  const source = {
    renewals: 0,
    current: () => token,
    async renew() {
      source.renewals++;
      if (renewed !== undefined) token = renewed;
      return renewed;
    },
  };
  return source;
};

const csv = (body: string, headers: Record<string, string> = {}) =>
  new Response(body, { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8', ...headers } });

describe('download', () => {
  it('fetches with the token and the query, and saves under the answer’s filename', async () => {
    const { api, sent, saved } = client(
      [
        csv('\ufeffat,actor_kind\r\n', {
          'content-disposition': 'attachment; filename="audit-log-2026-11-21.csv"',
          'x-row-count': '0',
        }),
      ],
      tokens('t1'),
    );
    const file = await api.download('GET /api/v1/audit-log', {
      query: { entity: 'driver', format: 'csv' },
      filename: 'fallback.csv',
    });
    expect(sent).toEqual([
      { url: 'http://platform.test/api/v1/audit-log?entity=driver&format=csv', authorization: 'Bearer t1' },
    ]);
    expect(file.filename).toBe('audit-log-2026-11-21.csv');
    expect(file.bytes).toBe(new TextEncoder().encode('\ufeffat,actor_kind\r\n').length);
    expect(file.headers.get('x-row-count')).toBe('0');
    expect(saved.map((s) => s.name)).toEqual(['audit-log-2026-11-21.csv']);
    expect(await saved[0]?.text).toBe('\ufeffat,actor_kind\r\n');
  });

  it('uses the caller’s filename when the answer names none, and fills the path', async () => {
    const { api, sent, saved } = client([Response.json({ driver: { name: 'Aino' } })], tokens('t1'));
    const file = await api.download('GET /api/v1/drivers/{id}/personal-data', {
      params: { id: 'a b' },
      filename: 'personal-data-aino.json',
    });
    expect(sent[0]?.url).toBe('http://platform.test/api/v1/drivers/a%20b/personal-data');
    expect(file.filename).toBe('personal-data-aino.json');
    expect(JSON.parse((await saved[0]?.text) ?? '')).toEqual({ driver: { name: 'Aino' } });
  });

  it('renews a refused token once and tries again', async () => {
    const source = tokens('old', 'new');
    const { api, sent, saved } = client(
      [Response.json({ error: { code: 'unauthorized', message: 'expired' } }, { status: 401 }), csv('x')],
      source,
    );
    await api.download('GET /api/v1/audit-log', { filename: 'a.csv' });
    expect(sent.map((s) => s.authorization)).toEqual(['Bearer old', 'Bearer new']);
    expect(source.renewals).toBe(1);
    expect(saved).toHaveLength(1);
  });

  it('throws the API’s refusal and saves nothing', async () => {
    const { api, saved } = client(
      [
        Response.json(
          { error: { code: 'forbidden', message: 'Your role may not do this.' } },
          { status: 403 },
        ),
      ],
      tokens('t1'),
    );
    const err = await api.download('GET /api/v1/audit-log', { filename: 'a.csv' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect([(err as ApiRequestError).status, (err as ApiRequestError).message]).toEqual([
      403,
      'Your role may not do this.',
    ]);
    expect(saved).toEqual([]);
  });
});

describe('attachmentFilename', () => {
  it.each([
    ['attachment; filename="audit-log-2026-11-21.csv"', 'audit-log-2026-11-21.csv'],
    ['attachment; filename=plain.csv', 'plain.csv'],
    ['attachment; filename="a \\"quoted\\" name.csv"', 'a "quoted" name.csv'],
    ['attachment; filename="fallback.csv"; filename*=UTF-8\'\'%C3%A4ij%C3%A4.csv', 'äijä.csv'],
    ['attachment; filename*=UTF-8\'\'%E0%A4%A.csv; filename="safe.csv"', 'safe.csv'],
  ])('%s names %s', (header, name) => {
    expect(attachmentFilename(header)).toBe(name);
  });

  it('is undefined when no filename is given', () => {
    expect(attachmentFilename(null)).toBeUndefined();
    expect(attachmentFilename('inline')).toBeUndefined();
    expect(attachmentFilename('attachment; filename=""')).toBeUndefined();
  });
});

describe('saveFile', () => {
  it('clicks a download link to a Blob URL, removes it, and lets the URL go', async () => {
    const clicked: { href: string; download: string; attached: boolean }[] = [];
    const body = { children: new Set<unknown>(), append: (el: unknown) => body.children.add(el) };
    const doc = {
      body,
      createElement: () => {
        const link = {
          href: '',
          download: '',
          rel: '',
          click: () =>
            clicked.push({ href: link.href, download: link.download, attached: body.children.has(link) }),
          remove: () => body.children.delete(link),
        };
        return link;
      },
    } as unknown as LinkHost;
    saveFile(new Blob(['hello'], { type: 'text/plain' }), 'hello.txt', doc);
    expect(clicked).toHaveLength(1);
    expect(clicked[0]).toMatchObject({ download: 'hello.txt', attached: true });
    expect(clicked[0]?.href).toMatch(/^blob:/);
    expect(body.children.size).toBe(0);
    // The URL still works in the task that clicked, and is revoked after it.
    const url = clicked[0]?.href ?? '';
    expect(await (await fetch(url)).text()).toBe('hello');
    await new Promise((r) => setTimeout(r, 5));
    await expect(fetch(url)).rejects.toThrow();
  });
});
