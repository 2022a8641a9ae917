// A vehicle's photo: one JPEG, PNG or WebP image of at most 2 MiB (asset_photos, migration
// 0009). The route framework reads JSON bodies only, so the image travels as base64 in JSON
// and comes back as a data URL the console can show as it is. The type is checked by the
// image's own first bytes (magic numbers), not by what the client claims.
import { TenantRepository } from '@fleet/shared/db';
import { z } from 'zod';
import { ApiError, errorBodySchema } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ANY_ROLE, MANAGE_ASSETS } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, empty, iso, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { Assets, notFound } from './repository.ts';

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];
/** 2 MiB: a phone photo scaled for a fleet list; the table checks the same. */
export const PHOTO_MAX_BYTES = 2 * 1024 * 1024;
/** The base64 text of the largest photo. */
const BASE64_MAX = Math.ceil(PHOTO_MAX_BYTES / 3) * 4;

/** The type an image's first bytes say it is, if one of ours. */
export function sniffImage(bytes: Uint8Array): PhotoType | undefined {
  const starts = (sig: readonly number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  // RIFF, a 4-byte size, then WEBP.
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return undefined;
}

const NAMES: Record<PhotoType, string> = {
  'image/jpeg': 'a JPEG',
  'image/png': 'a PNG',
  'image/webp': 'a WebP',
};

export const photoUploadSchema = z
  .strictObject({
    contentType: z.enum(PHOTO_TYPES, { error: `contentType is one of ${PHOTO_TYPES.join(', ')}` }),
    dataBase64: z
      .string({ error: 'dataBase64 is the image as base64 text' })
      .max(BASE64_MAX, 'a photo is at most 2 MiB')
      .regex(
        /^[A-Za-z0-9+/]*={0,2}$/,
        'dataBase64 is standard base64 (A-Z, a-z, 0-9, + and /, = padding), one line',
      )
      .refine((t) => t.length % 4 === 0, 'dataBase64 is padded base64: its length is a multiple of 4'),
  })
  .transform((body, ctx) => {
    const bytes = Buffer.from(body.dataBase64, 'base64');
    const issue = (message: string) => {
      ctx.addIssue({ code: 'custom', path: ['dataBase64'], message });
      return z.NEVER;
    };
    if (bytes.length === 0) return issue('the photo is empty');
    if (bytes.length > PHOTO_MAX_BYTES) return issue('a photo is at most 2 MiB');
    const actual = sniffImage(bytes);
    if (actual === undefined) return issue('the data is not a JPEG, PNG or WebP image');
    if (actual !== body.contentType)
      return issue(`the data is ${NAMES[actual]} image, not ${body.contentType}`);
    return { contentType: actual, bytes };
  })
  .meta({ id: 'PhotoUpload', description: 'A JPEG, PNG or WebP image of at most 2 MiB, as base64' });

export const photoInfoSchema = z
  .object({
    contentType: z.enum(PHOTO_TYPES),
    bytes: z.number().int(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'PhotoInfo' });

export const photoSchema = photoInfoSchema
  .extend({ dataUrl: z.string().meta({ description: 'data:<type>;base64,<image>, for an <img src>' }) })
  .meta({ id: 'Photo' });

interface PhotoRow {
  content_type: PhotoType;
  size: number | string;
  updated_at: Date | string;
  bytes?: Uint8Array;
}

export interface Photo {
  contentType: PhotoType;
  bytes: number;
  updatedAt: Date;
  data?: Uint8Array;
}

const toPhoto = (r: PhotoRow): Photo => ({
  contentType: r.content_type,
  bytes: Number(r.size),
  updatedAt: new Date(r.updated_at),
  ...(r.bytes === undefined ? {} : { data: r.bytes }),
});

/** Photos of the vehicles the caller sees: each call checks the vehicle first (scope included). */
export class VehiclePhotos extends TenantRepository {
  async #visible(id: string): Promise<void> {
    if (!(await new Assets(this.db, this.orgId).get('vehicle', id))) throw notFound('vehicle');
  }

  async put(id: string, photo: { contentType: PhotoType; bytes: Uint8Array }): Promise<Photo> {
    await this.#visible(id);
    const rows = await this.tx((tx) =>
      tx.query<PhotoRow>(
        `insert into asset_photos (asset_id, org_id, content_type, bytes) values ($1, $2, $3, $4)
         on conflict (asset_id) do update
           set content_type = excluded.content_type, bytes = excluded.bytes, updated_at = now()
         returning content_type, octet_length(bytes) as size, updated_at`,
        [id, this.orgId, photo.contentType, photo.bytes],
      ),
    );
    return toPhoto(rows[0] as PhotoRow);
  }

  /** Undefined when the vehicle has no photo. */
  async get(id: string): Promise<Photo | undefined> {
    await this.#visible(id);
    const rows = await this.tx((tx) =>
      tx.query<PhotoRow>(
        'select content_type, octet_length(bytes) as size, updated_at, bytes from asset_photos where asset_id = $1',
        [id],
      ),
    );
    return rows[0] ? toPhoto(rows[0]) : undefined;
  }

  /** Whether there was a photo. */
  async remove(id: string): Promise<boolean> {
    await this.#visible(id);
    const rows = await this.tx((tx) =>
      tx.query('delete from asset_photos where asset_id = $1 returning asset_id', [id]),
    );
    return rows.length > 0;
  }
}

const noPhoto = () => new ApiError('not_found', 'The vehicle has no photo.');

export function vehiclePhotoRoutes(ctx: ApiContext): AnyRoute[] {
  const photos = (orgId: string) => new VehiclePhotos(ctx.db, orgId);
  const errors = { ...ERROR_RESPONSES, 404: notFoundResponse('vehicle (or photo)') } as const;
  const info = (p: Photo) => ({ contentType: p.contentType, bytes: p.bytes, updatedAt: iso(p.updatedAt) });
  return [
    defineRoute({
      id: 'putVehiclePhoto',
      method: 'put',
      path: '/api/v1/vehicles/{id}/photo',
      tag: 'assets',
      summary: "Set a vehicle's photo",
      description:
        'JSON `{contentType, dataBase64}`: a JPEG, PNG or WebP image of at most 2 MiB, its type checked by its first bytes. Replaces any earlier photo.',
      access: MANAGE_ASSETS,
      params: uuidParam,
      body: photoUploadSchema,
      // 2 MiB as base64, and the JSON around it.
      maxBodyBytes: BASE64_MAX + 4096,
      responses: {
        200: { description: 'Stored', schema: photoInfoSchema },
        ...errors,
        413: { description: 'Larger than a 2 MiB photo', schema: errorBodySchema },
      },
      async handler({ principal, params, body }) {
        return { status: 200, body: info(await photos(principal.orgId).put(params.id, body)) };
      },
    }),
    defineRoute({
      id: 'getVehiclePhoto',
      method: 'get',
      path: '/api/v1/vehicles/{id}/photo',
      tag: 'assets',
      summary: "A vehicle's photo, as a data URL",
      access: ANY_ROLE,
      params: uuidParam,
      responses: { 200: { description: 'The photo', schema: photoSchema }, ...errors },
      async handler({ principal, params }) {
        const photo = await photos(principal.orgId).get(params.id);
        if (!photo?.data) throw noPhoto();
        return {
          status: 200,
          body: {
            ...info(photo),
            dataUrl: `data:${photo.contentType};base64,${Buffer.from(photo.data).toString('base64')}`,
          },
        };
      },
    }),
    defineRoute({
      id: 'deleteVehiclePhoto',
      method: 'delete',
      path: '/api/v1/vehicles/{id}/photo',
      tag: 'assets',
      summary: "Remove a vehicle's photo",
      access: MANAGE_ASSETS,
      params: uuidParam,
      responses: { 200: { description: 'Removed', schema: empty }, ...errors },
      async handler({ principal, params }) {
        if (!(await photos(principal.orgId).remove(params.id))) throw noPhoto();
        return { status: 200, body: {} };
      },
    }),
  ];
}
