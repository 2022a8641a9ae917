// The embedded database for several processes. PGlite is one process's database (it has no
// server), so the launcher owns it and its children reach it through their IPC channel: plain
// queries, transactions that stay open across messages (inTenant's `set local` must see the
// statements of the same transaction), and LISTEN. PGlite runs one transaction at a time, so a
// transaction of one child holds the others' statements back until it ends; a child that dies
// or stalls inside one is rolled back (on its exit, or after `maxTransactionMs`), so it can never
// hold the database for good. With DATABASE_URL (PostgreSQL) the children connect directly.
import type { SqlDatabase, SqlExecutor, SqlParam } from '@fleet/shared/db';
import type { IpcChannel } from './ipc.ts';

export type DbRequest =
  | { t: 'db'; id: number; op: 'query'; text: string; params: readonly SqlParam[]; tx: number | undefined }
  | { t: 'db'; id: number; op: 'exec'; text: string; tx: number | undefined }
  | { t: 'db'; id: number; op: 'begin' }
  | { t: 'db'; id: number; op: 'end'; tx: number; commit: boolean }
  | { t: 'db'; id: number; op: 'listen'; channel: string }
  | { t: 'db'; id: number; op: 'unlisten'; listener: number };

/** An error as it crosses: PostgreSQL's SQLSTATE code survives (23505 means a duplicate). */
export interface DbError {
  message: string;
  code: string | undefined;
}

export type DbReply =
  | { t: 'db-reply'; id: number; ok: true; value: unknown }
  | { t: 'db-reply'; id: number; ok: false; error: DbError };

export interface DbNotification {
  t: 'db-notify';
  listener: number;
  payload: string;
}

class RemoteDbError extends Error {
  readonly code: string | undefined;
  constructor(error: DbError) {
    super(error.message);
    this.name = 'RemoteDbError';
    this.code = error.code;
  }
}

function toDbError(err: unknown): DbError {
  const code = (err as { code?: unknown })?.code;
  return {
    message: err instanceof Error ? err.message : String(err),
    code: typeof code === 'string' ? code : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// The launcher's side

const ROLLBACK = Symbol('rollback');

interface OpenTransaction {
  executor: SqlExecutor;
  end(commit: boolean): Promise<void>;
  timer: NodeJS.Timeout;
}

export interface DatabaseServerOptions {
  /** A transaction open longer than this is rolled back (a stalled child must not hold the database). */
  maxTransactionMs: number;
  onTransactionTimeout?: (clientName: string) => void;
}

/** Serves one database to the children; one `attach` per child channel. */
export class DatabaseServer {
  readonly #db: SqlDatabase;
  readonly #options: DatabaseServerOptions;
  #nextTx = 1;
  #nextListener = 1;

  constructor(db: SqlDatabase, options: DatabaseServerOptions) {
    this.#db = db;
    this.#options = options;
  }

  /** Serves requests arriving on the channel; the returned function ends everything of this client. */
  attach(channel: IpcChannel, clientName: string): () => Promise<void> {
    const transactions = new Map<number, OpenTransaction>();
    const listeners = new Map<number, () => Promise<void>>();
    const reply = (id: number, result: Promise<unknown>) => {
      result.then(
        (value) => channel.send({ t: 'db-reply', id, ok: true, value }),
        (err: unknown) => channel.send({ t: 'db-reply', id, ok: false, error: toDbError(err) }),
      );
    };
    const target = (tx: number | undefined): SqlExecutor => {
      if (tx === undefined) return this.#db;
      const open = transactions.get(tx);
      if (!open) throw new Error(`transaction ${tx} is not open (rolled back after a timeout?)`);
      return open.executor;
    };
    const stop = channel.onMessage((message) => {
      if (message.t !== 'db') return;
      const m = message;
      switch (m.op) {
        case 'query':
          reply(
            m.id,
            Promise.resolve().then(() => target(m.tx).query(m.text, m.params)),
          );
          return;
        case 'exec':
          reply(
            m.id,
            Promise.resolve().then(() => target(m.tx).exec(m.text)),
          );
          return;
        case 'begin':
          reply(m.id, this.#begin(transactions, clientName));
          return;
        case 'end': {
          const open = transactions.get(m.tx);
          transactions.delete(m.tx);
          reply(
            m.id,
            open ? open.end(m.commit) : Promise.reject(new Error(`transaction ${m.tx} is not open`)),
          );
          return;
        }
        case 'listen': {
          const listener = this.#nextListener++;
          reply(
            m.id,
            this.#db
              .listen(m.channel, (payload) => channel.send({ t: 'db-notify', listener, payload }))
              .then((unlisten) => {
                listeners.set(listener, unlisten);
                return listener;
              }),
          );
          return;
        }
        case 'unlisten': {
          const unlisten = listeners.get(m.listener);
          listeners.delete(m.listener);
          reply(m.id, unlisten ? unlisten() : Promise.resolve());
          return;
        }
      }
    });
    return async () => {
      stop();
      for (const open of transactions.values()) await open.end(false).catch(() => {});
      transactions.clear();
      for (const unlisten of listeners.values()) await unlisten().catch(() => {});
      listeners.clear();
    };
  }

  /** Opens a transaction that stays open until `end`; resolves with its id once it has begun. */
  #begin(transactions: Map<number, OpenTransaction>, clientName: string): Promise<number> {
    const id = this.#nextTx++;
    return new Promise<number>((begun, failedToBegin) => {
      let finish: (commit: boolean) => void = () => {};
      const done = this.#db.transaction(
        (executor) =>
          new Promise<void>((commit, rollback) => {
            finish = (ok) => (ok ? commit() : rollback(ROLLBACK));
            const timer = setTimeout(() => {
              if (!transactions.has(id)) return;
              transactions.delete(id);
              this.#options.onTransactionTimeout?.(clientName);
              finish(false);
            }, this.#options.maxTransactionMs);
            timer.unref();
            transactions.set(id, {
              executor,
              timer,
              end: (ok) => {
                clearTimeout(timer);
                finish(ok);
                return done.catch((err: unknown) => {
                  if (err !== ROLLBACK) throw err;
                });
              },
            });
            begun(id);
          }),
      );
      done.catch((err: unknown) => {
        if (!transactions.has(id) && err !== ROLLBACK) failedToBegin(err);
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------
// A child's side

export interface IpcDatabaseOptions {
  /** A request unanswered for this long fails (the launcher is stuck or gone). */
  requestTimeoutMs: number;
}

/** The SqlDatabase of a child process whose launcher owns the embedded database. */
export function openIpcDatabase(channel: IpcChannel, options: IpcDatabaseOptions): SqlDatabase {
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve(value: unknown): void; reject(err: Error): void; timer: NodeJS.Timeout }
  >();
  const notifyHandlers = new Map<number, (payload: string) => void>();
  const stop = channel.onMessage((message) => {
    if (message.t === 'db-reply') {
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      clearTimeout(waiting.timer);
      if (message.ok) waiting.resolve(message.value);
      else waiting.reject(new RemoteDbError(message.error));
    } else if (message.t === 'db-notify' && typeof message.payload === 'string') {
      notifyHandlers.get(message.listener)?.(message.payload);
    }
  });

  type Request = DbRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id' | 't'> : never) : never;
  function request<T>(body: Request): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the database did not answer within ${options.requestTimeoutMs} ms`));
      }, options.requestTimeoutMs);
      timer.unref();
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        channel.send({ t: 'db', id, ...body } as DbRequest);
      } catch (err) {
        pending.delete(id);
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  const executor = (tx: number | undefined): SqlExecutor => ({
    query: <R extends object>(text: string, params: readonly SqlParam[] = []) =>
      request<R[]>({ op: 'query', text, params, tx }),
    exec: (text: string) => request<void>({ op: 'exec', text, tx }),
  });

  return {
    kind: 'pglite',
    ...executor(undefined),
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const tx = await request<number>({ op: 'begin' });
      let result: T;
      try {
        result = await fn(executor(tx));
      } catch (err) {
        await request({ op: 'end', tx, commit: false }).catch(() => {});
        throw err;
      }
      await request({ op: 'end', tx, commit: true });
      return result;
    },
    async listen(name, handler) {
      const listener = await request<number>({ op: 'listen', channel: name });
      notifyHandlers.set(listener, handler);
      return async () => {
        notifyHandlers.delete(listener);
        await request({ op: 'unlisten', listener }).catch(() => {});
      };
    },
    async close() {
      stop();
      for (const waiting of pending.values()) {
        clearTimeout(waiting.timer);
        waiting.reject(new Error('the database connection was closed'));
      }
      pending.clear();
    },
  };
}
