// Departments: a tree per organisation (Production > Lighting). Every statement runs for one
// organisation under row-level security; the schema keeps parents inside the organisation, and
// this module keeps the tree a tree (a move below one's own descendant is refused).
import { type SqlExecutor, TenantRepository } from '@fleet/shared/db';
import { ApiError } from '../../http/errors.ts';

export interface Department {
  id: string;
  parentId: string | null;
  name: string;
  /** Names from the root down to this one: ["Production", "Lighting"]. */
  path: string[];
  /** Users who belong to it directly. */
  users: number;
  createdAt: Date;
}

interface DepartmentRow {
  id: string;
  parent_id: string | null;
  name: string;
  path: string[];
  users: number | string;
  created_at: Date | string;
}

/** The whole tree with each department's path, in one recursive query. */
const TREE = `
  with recursive tree as (
    select id, parent_id, name, array[name] as path, created_at from departments where parent_id is null
    union all
    select d.id, d.parent_id, d.name, tree.path || d.name, d.created_at
    from departments d join tree on d.parent_id = tree.id
  )
  select tree.id::text as id, tree.parent_id::text as parent_id, tree.name, tree.path, tree.created_at,
    (select count(*) from users u where u.department_id = tree.id) as users
  from tree`;

function toDepartment(row: DepartmentRow): Department {
  return {
    id: row.id,
    parentId: row.parent_id,
    name: row.name,
    path: row.path,
    users: Number(row.users),
    createdAt: new Date(row.created_at),
  };
}

/** The deepest a tree may go; deeper is a mistake, not an organisation. */
export const MAX_DEPTH = 10;

function translate(err: unknown, name: string | undefined): unknown {
  const code = (err as { code?: string }).code;
  if (code === '23505') return new ApiError('conflict', `A department named "${name}" already exists there.`);
  if (code === '23503')
    return new ApiError('conflict', 'The department still has sub-departments or users; move them first.');
  return err;
}

export class Departments extends TenantRepository {
  async list(): Promise<Department[]> {
    const rows = await this.tx((tx) => tx.query<DepartmentRow>(`${TREE} order by tree.path`));
    return rows.map(toDepartment);
  }

  async get(id: string): Promise<Department | undefined> {
    const rows = await this.tx((tx) => tx.query<DepartmentRow>(`${TREE} where tree.id = $1`, [id]));
    return rows[0] ? toDepartment(rows[0]) : undefined;
  }

  async create(input: { name: string; parentId?: string | null | undefined }): Promise<Department> {
    const name = input.name.trim();
    const id = await this.tx(async (tx) => {
      const parentId = input.parentId ?? null;
      if (parentId !== null) await this.#checkParent(tx, parentId, undefined);
      const rows = await tx
        .query<{ id: string }>(
          `insert into departments (org_id, parent_id, name) values ($1, $2, $3) returning id::text as id`,
          [this.orgId, parentId, name],
        )
        .catch((err: unknown) => {
          throw translate(err, name);
        });
      return (rows[0] as { id: string }).id;
    });
    return (await this.get(id)) as Department;
  }

  /** Renames and/or moves; undefined when there is no such department in the organisation. */
  async update(
    id: string,
    changes: { name?: string | undefined; parentId?: string | null | undefined },
  ): Promise<Department | undefined> {
    const name = changes.name?.trim();
    const found = await this.tx(async (tx) => {
      const exists = await tx.query('select 1 from departments where id = $1', [id]);
      if (exists.length === 0) return false;
      if (changes.parentId !== undefined && changes.parentId !== null)
        await this.#checkParent(tx, changes.parentId, id);
      await tx
        .query(
          `update departments set name = coalesce($2, name),
             parent_id = case when $4 then $3::uuid else parent_id end
           where id = $1`,
          [id, name ?? null, changes.parentId ?? null, changes.parentId !== undefined],
        )
        .catch((err: unknown) => {
          throw translate(err, name);
        });
      return true;
    });
    return found ? this.get(id) : undefined;
  }

  /** Deletes an empty department (no sub-departments, no members); false when there is none. */
  async remove(id: string): Promise<boolean> {
    const rows = await this.tx((tx) =>
      tx
        .query<{ id: string }>('delete from departments where id = $1 returning id::text as id', [id])
        .catch((err: unknown) => {
          throw translate(err, undefined);
        }),
    );
    return rows.length > 0;
  }

  /**
   * The parent must exist in this organisation (row-level security hides any other), must not
   * be the department itself or one of its descendants (a cycle), and the tree stays shallow.
   */
  async #checkParent(tx: SqlExecutor, parentId: string, movingId: string | undefined): Promise<void> {
    const ancestors = await tx.query<{ id: string; depth: number }>(
      `with recursive up as (
         select id, parent_id, 1 as depth from departments where id = $1
         union all
         select d.id, d.parent_id, up.depth + 1 from departments d join up on d.id = up.parent_id
         where up.depth < $2
       ) select id::text as id, depth from up`,
      [parentId, MAX_DEPTH + 1],
    );
    if (ancestors.length === 0)
      throw new ApiError('validation_failed', 'No such parent department.', {
        details: [{ path: 'body.parentId', message: 'no such department in your organisation' }],
      });
    if (movingId !== undefined && ancestors.some((a) => a.id === movingId))
      throw new ApiError(
        'validation_failed',
        'A department cannot move below itself or its own sub-department.',
        {
          details: [{ path: 'body.parentId', message: 'would make a cycle' }],
        },
      );
    const below = movingId === undefined ? 0 : await this.#height(tx, movingId);
    if (ancestors.length + 1 + below > MAX_DEPTH)
      throw new ApiError('validation_failed', `Departments nest at most ${MAX_DEPTH} deep.`, {
        details: [{ path: 'body.parentId', message: `at most ${MAX_DEPTH} levels` }],
      });
  }

  /** How many levels hang below a department. */
  async #height(tx: SqlExecutor, id: string): Promise<number> {
    const rows = await tx.query<{ h: number | string }>(
      `with recursive down as (
         select id, 0 as h from departments where id = $1
         union all
         select d.id, down.h + 1 from departments d join down on d.parent_id = down.id where down.h < $2
       ) select coalesce(max(h), 0) as h from down`,
      [id, MAX_DEPTH + 1],
    );
    return Number(rows[0]?.h ?? 0);
  }
}
