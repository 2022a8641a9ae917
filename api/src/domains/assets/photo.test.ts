// A vehicle's photo through the real API: stored and read back byte for byte as a data URL,
// its type checked by its first bytes, the 2 MiB bound on both sides of it, the roles, the
// audit log without the image, and another organisation's vehicle a 404 like none.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';
import { PHOTO_MAX_BYTES, sniffImage } from './photo.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

interface ErrorReply {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

/** A real 1x1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
/** A JPEG's start of image and JFIF header, padded to `size` bytes. */
const jpeg = (size: number) => {
  const b = Buffer.alloc(size, 0x20);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]).copy(b);
  return b;
};
const WEBP = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([0x1a, 0, 0, 0]),
  Buffer.from('WEBPVP8 '),
  Buffer.alloc(14),
]);

describe('sniffImage', () => {
  it('knows JPEG, PNG and WebP by their first bytes, and nothing else', () => {
    expect(sniffImage(PNG)).toBe('image/png');
    expect(sniffImage(jpeg(20))).toBe('image/jpeg');
    expect(sniffImage(WEBP)).toBe('image/webp');
    for (const other of [
      Buffer.from('GIF89a'),
      Buffer.from('%PDF-1.7'),
      Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVE'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      Buffer.alloc(0),
      Buffer.from([0xff, 0xd8]),
    ])
      expect(sniffImage(other)).toBeUndefined();
  });
});

describe('vehicle photos', () => {
  const manager = () => t.orgA.users.fleet_manager.token;
  const put = (id: string, body: unknown, token = manager()) =>
    t.request<ErrorReply & { contentType: string; bytes: number }>('PUT', `/api/v1/vehicles/${id}/photo`, {
      token,
      body,
    });
  async function van(token = manager()): Promise<string> {
    const res = await t.request<{ id: string }>('POST', '/api/v1/vehicles', {
      token,
      body: { name: 'Photo van' },
    });
    return res.body.id;
  }

  it('is stored, read back as the same bytes, replaced and removed', async () => {
    const id = await van();
    const stored = await put(id, { contentType: 'image/png', dataBase64: PNG.toString('base64') });
    expect(stored.status, stored.text).toBe(200);
    expect(stored.body).toMatchObject({ contentType: 'image/png', bytes: PNG.length });
    const read = await t.request<{ contentType: string; dataUrl: string; bytes: number }>(
      'GET',
      `/api/v1/vehicles/${id}/photo`,
      { token: t.orgA.users.viewer.token },
    );
    expect(read.status).toBe(200);
    expect(read.body.dataUrl).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
    expect(
      (await t.request<{ hasPhoto: boolean }>('GET', `/api/v1/vehicles/${id}`, { token: manager() })).body
        .hasPhoto,
    ).toBe(true);
    // Exactly 2 MiB is taken (the body is over HTTP_MAX_BODY_BYTES, but within this route's bound).
    const big = jpeg(PHOTO_MAX_BYTES);
    const replaced = await put(id, { contentType: 'image/jpeg', dataBase64: big.toString('base64') });
    expect(replaced.status, replaced.text.slice(0, 200)).toBe(200);
    expect(replaced.body).toMatchObject({ contentType: 'image/jpeg', bytes: PHOTO_MAX_BYTES });
    const again = await t.request<{ dataUrl: string }>('GET', `/api/v1/vehicles/${id}/photo`, {
      token: manager(),
    });
    expect(Buffer.from(again.body.dataUrl.split(',')[1] ?? '', 'base64').equals(big)).toBe(true);
    // The audit log knows a photo changed, never its bytes.
    const audit = await t.platform.db.query<{ after: { bytes?: string } | null }>(
      `select after from audit_log where entity = 'asset_photo' and org_id = $1 order by id`,
      [t.orgA.id],
    );
    expect(audit.length).toBeGreaterThanOrEqual(2);
    expect(audit.every((a) => a.after?.bytes === '[secret]')).toBe(true);
    expect((await t.request('DELETE', `/api/v1/vehicles/${id}/photo`, { token: manager() })).status).toBe(
      200,
    );
    const gone = await t.request<ErrorReply>('GET', `/api/v1/vehicles/${id}/photo`, { token: manager() });
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toBe('The vehicle has no photo.');
    expect((await t.request('DELETE', `/api/v1/vehicles/${id}/photo`, { token: manager() })).status).toBe(
      404,
    );
  });

  it('refuses what is not the image it claims, or too large, with the field named and nothing stored', async () => {
    const id = await van();
    const cases: [unknown, string, RegExp][] = [
      [
        { contentType: 'image/jpeg', dataBase64: PNG.toString('base64') },
        'body.dataBase64',
        /a PNG image, not image\/jpeg/,
      ],
      [
        { contentType: 'image/png', dataBase64: Buffer.from('GIF89a....').toString('base64') },
        'body.dataBase64',
        /not a JPEG, PNG or WebP/,
      ],
      [
        { contentType: 'image/gif', dataBase64: PNG.toString('base64') },
        'body.contentType',
        /image\/jpeg, image\/png, image\/webp/,
      ],
      [{ contentType: 'image/png', dataBase64: 'not base64!' }, 'body.dataBase64', /standard base64/],
      [{ contentType: 'image/png', dataBase64: 'iVBORw0' }, 'body.dataBase64', /multiple of 4/],
      [{ contentType: 'image/png', dataBase64: '' }, 'body.dataBase64', /empty/],
      [{ contentType: 'image/png' }, 'body.dataBase64', /base64 text/],
      [
        { contentType: 'image/jpeg', dataBase64: jpeg(PHOTO_MAX_BYTES + 1).toString('base64') },
        'body.dataBase64',
        /at most 2 MiB/,
      ],
      [{ contentType: 'image/png', dataBase64: PNG.toString('base64'), url: 'http://x' }, 'body', /url/],
    ];
    for (const [body, path, message] of cases) {
      const res = await put(id, body);
      expect(res.status, JSON.stringify(body).slice(0, 100)).toBe(400);
      expect(
        res.body.error.details?.find((d) => d.path === path)?.message,
        JSON.stringify(res.body).slice(0, 300),
      ).toMatch(message);
    }
    // Far over the bound: refused from its Content-Length, before it is read.
    const huge = await put(id, {
      contentType: 'image/jpeg',
      dataBase64: jpeg(3 * PHOTO_MAX_BYTES).toString('base64'),
    });
    expect(huge.status).toBe(413);
    const rows = await t.platform.db.query('select 1 from asset_photos where asset_id = $1', [id]);
    expect(rows).toEqual([]);
    // Other routes keep the default body limit.
    const bigName = await t.request('POST', '/api/v1/vehicles', {
      token: manager(),
      body: { name: 'x', notes: 'y'.repeat(2 * 1024 * 1024) },
    });
    expect(bigName.status).toBe(413);
  });

  it('viewers read, only asset managers write; another organisation’s vehicle is 404 like none', async () => {
    const id = await van();
    const body = { contentType: 'image/webp', dataBase64: WEBP.toString('base64') };
    for (const role of ['viewer', 'mechanic', 'dispatcher'] as const) {
      expect((await put(id, body, t.orgA.users[role].token)).status, role).toBe(403);
      expect(
        (await t.request('DELETE', `/api/v1/vehicles/${id}/photo`, { token: t.orgA.users[role].token }))
          .status,
      ).toBe(403);
    }
    expect((await put(id, body, t.orgA.users.admin.token)).status).toBe(200);
    const theirs = await van(t.orgB.users.admin.token);
    await put(theirs, body, t.orgB.users.admin.token);
    for (const [method, extra] of [
      ['GET', {}],
      ['PUT', { body }],
      ['DELETE', {}],
    ] as const) {
      const a = await t.request<ErrorReply>(method, `/api/v1/vehicles/${theirs}/photo`, {
        token: manager(),
        ...extra,
      });
      const b = await t.request<ErrorReply>(method, `/api/v1/vehicles/${randomUUID()}/photo`, {
        token: manager(),
        ...extra,
      });
      expect(a.status, method).toBe(404);
      expect(a.body).toEqual(b.body);
      expect(a.body.error.message).toBe('No such vehicle.');
    }
    // An equipment item has no photo route of its own: its id is no vehicle.
    const kit = await t.request<{ id: string }>('POST', '/api/v1/equipment', {
      token: manager(),
      body: { name: 'Kit', category: 'kit' },
    });
    expect((await put(kit.body.id, body)).status).toBe(404);
    expect(
      (await t.request('GET', `/api/v1/vehicles/${theirs}/photo`, { token: t.orgB.users.viewer.token }))
        .status,
    ).toBe(200);
  });
});
