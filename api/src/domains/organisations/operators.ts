// Platform operators: the people who run an installation and its organisations (create, rename,
// suspend), distinct from every organisation's own administrators and members of none. Their
// accounts live in platform_operators (no organisation, no tenant grants); their tokens are
// short-lived JWTs with an audience of their own, so no organisation user's token passes for
// one and the other way round.
import { randomBytes } from 'node:crypto';
import type { SqlDatabase } from '@fleet/shared/db';
import { hashPassword, spendPasswordTime, verifyPassword } from '../../auth/passwords.ts';
import { signToken, verifyToken } from '../../auth/tokens.ts';
import { normaliseEmail } from '../../auth/users.ts';
import { ApiError } from '../../http/errors.ts';
import type { OperatorPrincipal } from '../../http/route.ts';

const AUDIENCE = 'fleet-platform-operator';

export interface PlatformOperator {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
  disabledAt: Date | null;
}

interface OperatorRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: Date | string;
  disabled_at: Date | string | null;
}

const COLUMNS = 'id::text as id, email, name, password_hash, created_at, disabled_at';

function toOperator(row: OperatorRow): PlatformOperator {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    createdAt: new Date(row.created_at),
    disabledAt: row.disabled_at === null ? null : new Date(row.disabled_at),
  };
}

export class PlatformOperators {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /** Creates an operator; a password is generated (and returned, once) unless one is given. */
  async create(input: {
    email: string;
    name: string;
    password?: string | undefined;
  }): Promise<{ operator: PlatformOperator; generatedPassword: string | undefined }> {
    const password = input.password ?? randomBytes(15).toString('base64url');
    const email = normaliseEmail(input.email);
    try {
      const rows = await this.#db.query<OperatorRow>(
        `insert into platform_operators (email, name, password_hash) values ($1, $2, $3) returning ${COLUMNS}`,
        [email, input.name.trim(), await hashPassword(password)],
      );
      return {
        operator: toOperator(rows[0] as OperatorRow),
        generatedPassword: input.password === undefined ? password : undefined,
      };
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new ApiError('conflict', `An operator with the email ${email} already exists.`);
      throw err;
    }
  }

  /** The operator whose email and password these are, or undefined (same time either way). */
  async verify(email: string, password: string): Promise<PlatformOperator | undefined> {
    const rows = await this.#db.query<OperatorRow>(
      `select ${COLUMNS} from platform_operators where email = $1`,
      [normaliseEmail(email)],
    );
    const row = rows[0];
    if (!row) {
      await spendPasswordTime(password);
      return undefined;
    }
    const ok = await verifyPassword(row.password_hash, password);
    return ok && row.disabled_at === null ? toOperator(row) : undefined;
  }

  async get(id: string): Promise<PlatformOperator | undefined> {
    const rows = await this.#db.query<OperatorRow>(
      `select ${COLUMNS} from platform_operators where id = $1`,
      [id],
    );
    return rows[0] ? toOperator(rows[0]) : undefined;
  }
}

/** Operator tokens: HS256 JWTs on the platform's signing key, with an audience of their own. */
export class OperatorTokens {
  readonly #key: Uint8Array;
  readonly #ttlS: number;

  constructor(key: Uint8Array, ttlS: number) {
    this.#key = key;
    this.#ttlS = ttlS;
  }

  issue(operatorId: string, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
    return signToken(this.#key, {
      subject: operatorId,
      audience: AUDIENCE,
      claims: { op: true },
      ttlS: this.#ttlS,
      now,
    });
  }

  async verify(token: string): Promise<OperatorPrincipal> {
    const payload = await verifyToken(this.#key, token, AUDIENCE, 'The operator token is not valid.');
    if (typeof payload.sub !== 'string' || payload.op !== true || typeof payload.exp !== 'number')
      throw new ApiError('unauthorized', 'The operator token is missing claims.');
    return { operatorId: payload.sub, expiresAt: payload.exp * 1000 };
  }
}
