// Places of one organisation in PostgreSQL (migration 0007). Every statement runs under
// row-level security for that organisation (inTenant), so another organisation's place is not
// found whatever id is asked for. The geometry is stored as GeoJSON (a Polygon, or a circle's
// centre Point with radius_m), with its box in four columns for an indexed prefilter.
import {
  placeShapeFromRow,
  placeShapeToRow,
  type SqlParam,
  type StoredPlaceShape,
  TenantRepository,
} from '@fleet/shared/db';
import { ApiError } from '../../http/errors.ts';
import type { BBox, PlaceShape } from './geometry.ts';
import type { NewPlace, PlaceCategory, PlaceChanges } from './schemas.ts';

export interface Place {
  id: string;
  name: string;
  category: PlaceCategory;
  address: string | null;
  shape: PlaceShape;
  speedLimitKmh: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PlaceFilter {
  category?: PlaceCategory | undefined;
  /** Case-insensitive substring of the name. */
  nameContains?: string | undefined;
  /** Places whose box meets this one; minLon > maxLon is a box across the antimeridian. */
  bbox?: BBox | undefined;
  limit: number;
  offset: number;
}

interface PlaceRow extends StoredPlaceShape {
  id: string;
  name: string;
  category: PlaceCategory;
  address: string | null;
  speed_limit_kmh: number | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS =
  'id::text as id, name, category, address, geometry, radius_m, min_lat, min_lon, max_lat, max_lon, speed_limit_kmh, created_at, updated_at';

const stored = placeShapeToRow;

function toPlace(row: PlaceRow): Place {
  const shape: PlaceShape = placeShapeFromRow(row);
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    address: row.address,
    shape,
    speedLimitKmh: row.speed_limit_kmh === null ? null : Number(row.speed_limit_kmh),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function translate(err: unknown, name: string | undefined): unknown {
  if ((err as { code?: string }).code === '23505')
    return new ApiError('conflict', `A place named "${name}" already exists (names are unique in any case).`);
  return err;
}

export class Places extends TenantRepository {
  /** A page by name; filters are parameters, never SQL text. */
  async page(filter: PlaceFilter): Promise<{ items: Place[]; total: number }> {
    const where = ['org_id = $1'];
    const params: SqlParam[] = [this.orgId];
    const param = (value: SqlParam) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.category !== undefined) where.push(`category = ${param(filter.category)}`);
    if (filter.nameContains !== undefined && filter.nameContains !== '')
      where.push(`name ilike ${param(`%${filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
    const box = filter.bbox;
    if (box !== undefined) {
      where.push(`min_lat <= ${param(box.maxLat)}::float8 and max_lat >= ${param(box.minLat)}::float8`);
      where.push(
        box.minLon <= box.maxLon
          ? `min_lon <= ${param(box.maxLon)}::float8 and max_lon >= ${param(box.minLon)}::float8`
          : // Across the antimeridian: the part east of minLon or the part west of maxLon.
            `(max_lon >= ${param(box.minLon)}::float8 or min_lon <= ${param(box.maxLon)}::float8)`,
      );
    }
    const clause = where.join(' and ');
    return this.tx(async (tx) => {
      const count = await tx.query<{ n: number | string }>(
        `select count(*) as n from places where ${clause}`,
        params,
      );
      const rows = await tx.query<PlaceRow>(
        `select ${COLUMNS} from places where ${clause} order by lower(name), name, id
         limit ${Math.trunc(filter.limit)} offset ${Math.trunc(filter.offset)}`,
        params,
      );
      return { items: rows.map(toPlace), total: Number(count[0]?.n ?? 0) };
    });
  }

  async get(id: string): Promise<Place | undefined> {
    const rows = await this.tx((tx) =>
      tx.query<PlaceRow>(`select ${COLUMNS} from places where id = $1`, [id]),
    );
    return rows[0] ? toPlace(rows[0]) : undefined;
  }

  async create(input: NewPlace): Promise<Place> {
    const { geometry, radiusM } = stored(input.shape);
    const b = input.shape.bbox;
    try {
      const rows = await this.tx((tx) =>
        tx.query<PlaceRow>(
          `insert into places (org_id, name, category, address, geometry, radius_m, min_lat, min_lon, max_lat, max_lon,
             speed_limit_kmh)
           values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11) returning ${COLUMNS}`,
          [
            this.orgId,
            input.name,
            input.category,
            input.address,
            geometry,
            radiusM,
            b.minLat,
            b.minLon,
            b.maxLat,
            b.maxLon,
            input.speedLimitKmh,
          ],
        ),
      );
      return toPlace(rows[0] as PlaceRow);
    } catch (err) {
      throw translate(err, input.name);
    }
  }

  /** Undefined when there is no such place (in this organisation). */
  async update(id: string, changes: PlaceChanges): Promise<Place | undefined> {
    const set = ['updated_at = now()'];
    const params: SqlParam[] = [id];
    const param = (value: SqlParam) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (changes.name !== undefined) set.push(`name = ${param(changes.name)}`);
    if (changes.category !== undefined) set.push(`category = ${param(changes.category)}`);
    if (changes.address !== undefined) set.push(`address = ${param(changes.address)}`);
    if (changes.speedLimitKmh !== undefined)
      set.push(`speed_limit_kmh = ${param(changes.speedLimitKmh)}::float8`);
    if (changes.shape !== undefined) {
      const { geometry, radiusM } = stored(changes.shape);
      const b = changes.shape.bbox;
      set.push(
        `geometry = ${param(geometry)}::jsonb`,
        `radius_m = ${param(radiusM)}::float8`,
        `min_lat = ${param(b.minLat)}`,
        `min_lon = ${param(b.minLon)}`,
        `max_lat = ${param(b.maxLat)}`,
        `max_lon = ${param(b.maxLon)}`,
      );
    }
    try {
      const rows = await this.tx((tx) =>
        tx.query<PlaceRow>(`update places set ${set.join(', ')} where id = $1 returning ${COLUMNS}`, params),
      );
      return rows[0] ? toPlace(rows[0]) : undefined;
    } catch (err) {
      throw translate(err, changes.name);
    }
  }

  /** Whether there was such a place. */
  async remove(id: string): Promise<boolean> {
    const rows = await this.tx((tx) =>
      tx.query<{ id: string }>('delete from places where id = $1 returning id::text as id', [id]),
    );
    return rows.length > 0;
  }
}
