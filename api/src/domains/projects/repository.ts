// Projects of one organisation under row-level security, with their jobs counted by state and
// the costs entered against them. Names and codes are unique in the organisation as people
// compare them (case ignored).
import { type SqlExecutor, type SqlParam, TenantRepository } from '@fleet/shared/db';
import { JOB_STATES, type JobState } from '@fleet/shared/jobs';
import { formatMoney, parseMoney } from '@fleet/shared/money';
import { ApiError } from '../../http/errors.ts';
import type { NewProject, Project, ProjectChanges, ProjectQuery, ProjectStatus } from './schemas.ts';

interface ProjectRow {
  id: string;
  name: string;
  code: string | null;
  client: string | null;
  department_id: string | null;
  department_name: string | null;
  budget_minor: string | null;
  currency: string;
  starts_on: string | null;
  ends_on: string | null;
  status: ProjectStatus;
  notes: string | null;
  jobs: Record<string, number> | string | null;
  direct_minor: string;
  created_at: Date | string;
  updated_at: Date | string;
}

const SELECT = `
  select p.id::text as id, p.name, p.code, p.client, p.department_id::text as department_id, d.name as department_name,
    p.budget_minor::text as budget_minor, p.currency, to_char(p.starts_on, 'YYYY-MM-DD') as starts_on,
    to_char(p.ends_on, 'YYYY-MM-DD') as ends_on, p.status, p.notes,
    (select json_object_agg(s.state, s.n) from (select j.state, count(*)::int as n from jobs j
       where j.project_id = p.id group by j.state) s) as jobs,
    coalesce((select sum(c.amount_minor) from cost_entries c where c.project_id = p.id), 0)::text as direct_minor,
    p.created_at, p.updated_at
  from projects p left join departments d on d.id = p.department_id`;

function field(path: string, message: string): ApiError {
  return new ApiError('validation_failed', message, { details: [{ path, message }] });
}

function toProject(r: ProjectRow): Project {
  const counts = (typeof r.jobs === 'string' ? JSON.parse(r.jobs) : r.jobs) ?? {};
  const jobs = Object.fromEntries(JOB_STATES.map((s) => [s, Number(counts[s] ?? 0)])) as Record<
    JobState,
    number
  >;
  return {
    id: r.id,
    name: r.name,
    code: r.code,
    client: r.client,
    departmentId: r.department_id,
    departmentName: r.department_name,
    budget: r.budget_minor === null ? null : formatMoney(BigInt(r.budget_minor), r.currency),
    currency: r.currency,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    status: r.status,
    notes: r.notes,
    jobs,
    directCosts: formatMoney(BigInt(r.direct_minor), r.currency),
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

function translate(err: unknown, input: { name?: string; code?: string | null }): unknown {
  const { code, constraint } = err as { code?: string; constraint?: string };
  if (code === '23505' && constraint === 'projects_org_name_idx')
    return new ApiError('conflict', `Another project is called "${input.name}".`, {
      details: [{ path: 'body.name', message: 'taken by another project' }],
    });
  if (code === '23505' && constraint === 'projects_org_code_idx')
    return new ApiError('conflict', `Another project has the code "${input.code}".`, {
      details: [{ path: 'body.code', message: 'taken by another project' }],
    });
  if (code === '23503' && String(constraint).includes('department'))
    return field('body.departmentId', 'no such department in your organisation');
  if (code === '23514' && String(constraint).includes('check'))
    return field('body.endsOn', 'endsOn is on or after startsOn');
  return err;
}

async function orgCurrency(tx: SqlExecutor, orgId: string): Promise<string> {
  const rows = await tx.query<{ currency: string }>(
    'select currency from organisations where id = $1::uuid',
    [orgId],
  );
  return rows[0]?.currency ?? 'EUR';
}

function budgetMinor(text: string | null | undefined, given: string | undefined, currency: string) {
  if (given !== undefined && given !== currency)
    throw field('body.currency', `the organisation's currency is ${currency}, not ${given}`);
  if (text === undefined || text === null) return text;
  const minor = parseMoney(text, currency);
  if (minor === undefined) throw field('body.budget', `more decimals than ${currency} has (e.g. "25000.00")`);
  return minor.toString();
}

export class Projects extends TenantRepository {
  async list(q: ProjectQuery): Promise<Project[]> {
    return this.tx(async (tx) => {
      const args: SqlParam[] = [];
      const where: string[] = [];
      if (q.status !== undefined) {
        args.push(q.status);
        where.push(`p.status = $${args.length}`);
      }
      if (q.departmentId !== undefined) {
        args.push(q.departmentId);
        where.push(`p.department_id = $${args.length}::uuid`);
      }
      if (q.q !== undefined && q.q !== '') {
        args.push(`%${q.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        const n = args.length;
        where.push(
          `(lower(p.name) like $${n} or lower(coalesce(p.code, '')) like $${n} or lower(coalesce(p.client, '')) like $${n})`,
        );
      }
      args.push(q.limit);
      const rows = await tx.query<ProjectRow>(
        `${SELECT} ${where.length ? `where ${where.join(' and ')}` : ''}
         order by p.status = 'active' desc, lower(p.name) limit $${args.length}`,
        args,
      );
      return rows.map(toProject);
    });
  }

  async get(id: string): Promise<Project | undefined> {
    return this.tx(async (tx) => {
      const rows = await tx.query<ProjectRow>(`${SELECT} where p.id = $1::uuid`, [id]);
      return rows[0] ? toProject(rows[0]) : undefined;
    });
  }

  async create(b: NewProject, userId: string | null): Promise<Project> {
    return this.tx(async (tx) => {
      const currency = await orgCurrency(tx, this.orgId);
      const minor = budgetMinor(b.budget, b.currency, currency) ?? null;
      try {
        const rows = await tx.query<{ id: string }>(
          `insert into projects (org_id, name, code, client, department_id, budget_minor, currency, starts_on, ends_on,
             notes, created_by)
           values ($1::uuid, $2, $3, $4, $5::uuid, $6::bigint, $7, $8::date, $9::date, $10, $11::uuid)
           returning id::text as id`,
          [
            this.orgId,
            b.name,
            b.code ?? null,
            b.client ?? null,
            b.departmentId ?? null,
            minor,
            currency,
            b.startsOn ?? null,
            b.endsOn ?? null,
            b.notes ?? null,
            userId,
          ],
        );
        const created = await tx.query<ProjectRow>(`${SELECT} where p.id = $1::uuid`, [
          rows[0]?.id as string,
        ]);
        return toProject(created[0] as ProjectRow);
      } catch (err) {
        throw translate(err, b);
      }
    });
  }

  async update(id: string, b: ProjectChanges): Promise<Project | undefined> {
    return this.tx(async (tx) => {
      const current = await tx.query<{ starts_on: string | null; ends_on: string | null }>(
        `select to_char(starts_on, 'YYYY-MM-DD') as starts_on, to_char(ends_on, 'YYYY-MM-DD') as ends_on
         from projects where id = $1::uuid for update`,
        [id],
      );
      const row = current[0];
      if (!row) return undefined;
      const startsOn = b.startsOn === undefined ? row.starts_on : b.startsOn;
      const endsOn = b.endsOn === undefined ? row.ends_on : b.endsOn;
      if (startsOn && endsOn && endsOn < startsOn)
        throw field(
          b.endsOn !== undefined ? 'body.endsOn' : 'body.startsOn',
          'endsOn is on or after startsOn',
        );
      const currency = await orgCurrency(tx, this.orgId);
      const sets: string[] = [];
      const args: SqlParam[] = [id];
      const set = (column: string, value: SqlParam | undefined, cast = '') => {
        if (value === undefined) return;
        args.push(value);
        sets.push(`${column} = $${args.length}${cast}`);
      };
      set('name', b.name);
      set('code', b.code);
      set('client', b.client);
      set('department_id', b.departmentId, '::uuid');
      set('budget_minor', budgetMinor(b.budget, b.currency, currency), '::bigint');
      set('starts_on', b.startsOn, '::date');
      set('ends_on', b.endsOn, '::date');
      set('status', b.status);
      set('notes', b.notes);
      sets.push('updated_at = now()');
      try {
        await tx.query(`update projects set ${sets.join(', ')} where id = $1::uuid`, args);
      } catch (err) {
        throw translate(err, b);
      }
      const rows = await tx.query<ProjectRow>(`${SELECT} where p.id = $1::uuid`, [id]);
      return rows[0] ? toProject(rows[0]) : undefined;
    });
  }
}
