// Login sessions: one row per login, holding the hash of its refresh token. Refresh rotates the
// token; presenting an already-rotated token revokes the whole session (a stolen copy is
// useless once either party refreshes). Logout revokes. Looked up by token hash as the system,
// since the organisation is not known before the token is.
import { createHash, randomBytes } from 'node:crypto';
import type { SqlDatabase } from '@fleet/shared/db';

export interface Session {
  id: string;
  orgId: string;
  userId: string;
  expiresAt: Date;
  revokedAt: Date | null;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const newRefreshToken = () => `frt_${randomBytes(32).toString('base64url')}`;

interface SessionRow {
  id: string;
  org_id: string;
  user_id: string;
  expires_at: Date | string;
  revoked_at: Date | string | null;
}

const COLUMNS = 'id::text as id, org_id::text as org_id, user_id::text as user_id, expires_at, revoked_at';

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    orgId: row.org_id,
    userId: row.user_id,
    expiresAt: new Date(row.expires_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  };
}

export type RefreshOutcome =
  | { ok: true; session: Session; refreshToken: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'reused'; session?: Session };

export class SessionStore {
  readonly #db: SqlDatabase;
  readonly #ttlMs: number;

  constructor(db: SqlDatabase, ttlMs: number) {
    this.#db = db;
    this.#ttlMs = ttlMs;
  }

  async create(input: {
    orgId: string;
    userId: string;
    userAgent: string;
    address: string;
  }): Promise<{ session: Session; refreshToken: string }> {
    const refreshToken = newRefreshToken();
    const rows = await this.#db.query<SessionRow>(
      `insert into sessions (org_id, user_id, refresh_hash, expires_at, user_agent, address)
       values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
      [
        input.orgId,
        input.userId,
        hash(refreshToken),
        new Date(Date.now() + this.#ttlMs),
        input.userAgent.slice(0, 300),
        input.address.slice(0, 64),
      ],
    );
    return { session: toSession(rows[0] as SessionRow), refreshToken };
  }

  /** Exchanges a refresh token for a new one; the old one stops working. */
  async rotate(refreshToken: string): Promise<RefreshOutcome> {
    return this.#db.transaction(async (tx) => {
      const current = await tx.query<SessionRow>(
        `select ${COLUMNS} from sessions where refresh_hash = $1 for update`,
        [hash(refreshToken)],
      );
      const row = current[0];
      if (!row) {
        // A token that was rotated away: its session is compromised, revoke it.
        const previous = await tx.query<SessionRow>(
          `update sessions set revoked_at = coalesce(revoked_at, now())
           where previous_refresh_hash = $1 returning ${COLUMNS}`,
          [hash(refreshToken)],
        );
        return previous[0]
          ? { ok: false, reason: 'reused', session: toSession(previous[0]) }
          : { ok: false, reason: 'unknown' };
      }
      const session = toSession(row);
      if (session.revokedAt !== null) return { ok: false, reason: 'revoked', session };
      if (session.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired', session };
      const next = newRefreshToken();
      await tx.query(
        `update sessions set previous_refresh_hash = refresh_hash, refresh_hash = $2, last_used_at = now() where id = $1`,
        [session.id, hash(next)],
      );
      return { ok: true, session, refreshToken: next };
    });
  }

  async revoke(sessionId: string): Promise<void> {
    await this.#db.query('update sessions set revoked_at = coalesce(revoked_at, now()) where id = $1', [
      sessionId,
    ]);
  }

  /** Revokes every open session of a user (disabled, role changed, deleted); returns their ids. */
  async revokeUser(userId: string): Promise<string[]> {
    const rows = await this.#db.query<{ id: string }>(
      'update sessions set revoked_at = now() where user_id = $1 and revoked_at is null returning id::text as id',
      [userId],
    );
    return rows.map((r) => r.id);
  }

  /** Sessions revoked recently enough that their access tokens may still be presented. */
  async revokedSince(since: Date): Promise<string[]> {
    const rows = await this.#db.query<{ id: string }>(
      'select id::text as id from sessions where revoked_at >= $1',
      [since],
    );
    return rows.map((r) => r.id);
  }
}
