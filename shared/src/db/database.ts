// One small SQL interface over the two homes of the domain data: embedded PGlite (the default,
// one process owns the directory) and a real PostgreSQL (DATABASE_URL). Everything above it
// (migrations, the device registry, later the domains) writes plain PostgreSQL SQL once.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { FleetError } from '../errors.ts';

/**
 * A json/jsonb column as the drivers hand it back: PostgreSQL (pg) parses it, PGlite in some
 * paths gives the text. One reading for every repository.
 */
export function jsonColumn<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/**
 * Runs queries one after the other and gives their results as Promise.all would: a transaction is
 * one connection, and a connection takes one query at a time (pg warns, and will refuse, when
 * given several at once; nothing runs in parallel on it anyway).
 */
export async function inTurn<T extends readonly (() => Promise<unknown>)[]>(
  steps: T,
): Promise<{ -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
  const out: unknown[] = [];
  for (const step of steps) out.push(await step());
  return out as { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };
}

export type SqlParam = string | number | boolean | null | Date | Uint8Array | readonly string[];

export interface SqlExecutor {
  query<R extends object>(text: string, params?: readonly SqlParam[]): Promise<R[]>;
  /** Runs several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Calls `handler` with the payload of every NOTIFY on `channel`, from any process using the
   * same database. Resolves once listening; the returned function stops it.
   */
  listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkChannel(channel: string): void {
  if (!CHANNEL_NAME.test(channel)) throw new FleetError('invalid_channel', `bad channel name ${channel}`);
}

export class DatabaseLockedError extends FleetError {
  constructor(dir: string, pid: number) {
    super(
      'database_locked',
      pid === process.pid
        ? `The embedded database ${dir} is already open in this process; share that handle.`
        : `The embedded database ${dir} is open in another process (pid ${pid}), most likely the running ` +
            'platform. PGlite allows one process at a time: stop that process first, or use PostgreSQL (DATABASE_URL).',
    );
  }
}

export interface OpenDatabaseOptions {
  /** postgres://... ; when absent the embedded PGlite under `pgliteDir` (or `memory://`) is used. */
  url?: string | undefined;
  pgliteDir?: string;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<SqlDatabase> {
  if (options.url) return openPostgres(options.url, options.maxConnections ?? 10);
  if (!options.pgliteDir)
    throw new FleetError('config_invalid', 'either a database URL or a PGlite directory');
  return openPglite(options.pgliteDir);
}

async function openPostgres(url: string, max: number): Promise<SqlDatabase> {
  const pool = new pg.Pool({ connectionString: url, max });
  // A broken pool connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  await pool.query('select 1');
  const executor = (client: pg.Pool | pg.PoolClient): SqlExecutor => ({
    async query<R extends object>(text: string, params?: readonly SqlParam[]) {
      const res = await client.query(text, params as unknown[] | undefined);
      return res.rows as R[];
    },
    async exec(text: string) {
      await client.query(text);
    },
  });
  return {
    kind: 'postgres',
    ...executor(pool),
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn(executor(client));
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async listen(channel, handler) {
      checkChannel(channel);
      // LISTEN needs a connection of its own for as long as it listens.
      const client = await pool.connect();
      const onNotification = (msg: pg.Notification) => {
        if (msg.channel === channel) handler(msg.payload ?? '');
      };
      client.on('notification', onNotification);
      await client.query(`listen ${channel}`);
      return async () => {
        client.off('notification', onNotification);
        await client.query(`unlisten ${channel}`).catch(() => {});
        client.release();
      };
    },
    async close() {
      await pool.end();
    },
  };
}

async function openPglite(dir: string): Promise<SqlDatabase> {
  const inMemory = dir.startsWith('memory://');
  if (!inMemory) mkdirSync(dir, { recursive: true });
  const releaseLock = inMemory ? () => {} : acquireDirLock(dir);
  let db: PGlite;
  try {
    db = await PGlite.create(dir);
  } catch (err) {
    releaseLock();
    throw err;
  }
  type PgliteExecutor = Pick<PGlite, 'query' | 'exec'>;
  const executor = (target: PgliteExecutor): SqlExecutor => ({
    async query<R extends object>(text: string, params?: readonly SqlParam[]) {
      const res = await target.query<R>(text, params as unknown[] | undefined);
      return res.rows;
    },
    async exec(text: string) {
      await target.exec(text);
    },
  });
  return {
    kind: 'pglite',
    ...executor(db),
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
    async listen(channel, handler) {
      checkChannel(channel);
      const unlisten = await db.listen(channel, handler);
      return () => unlisten();
    },
    async close() {
      await db.close();
      releaseLock();
    },
  };
}

/** Directories this process has open: a second PGlite on the same files corrupts them too. */
const openDirs = new Set<string>();

/** A pid file next to the data: PGlite has no lock of its own and two writers corrupt it. */
function acquireDirLock(dir: string): () => void {
  const key = resolve(dir);
  if (openDirs.has(key)) throw new DatabaseLockedError(dir, process.pid);
  const lockPath = join(dir, 'fleet.lock');
  if (existsSync(lockPath)) {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) throw new DatabaseLockedError(dir, pid);
  }
  writeFileSync(lockPath, String(process.pid));
  openDirs.add(key);
  return () => {
    openDirs.delete(key);
    // Remove the lock only while it is still ours.
    try {
      if (readFileSync(lockPath, 'utf8') === String(process.pid)) rmSync(lockPath, { force: true });
    } catch {
      // already gone
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
