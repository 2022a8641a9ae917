// Who is making a change, for the audit log. The HTTP server and the CLI run each request or
// command inside `withAuditActor`; every transaction that writes (inTenant, inAuditedTransaction)
// copies the actor into transaction-local settings, and the audit triggers of migration 0008
// read them there. So the log is written by the database for every audited table, whichever
// code path changed a row, and a handler cannot forget it. AsyncLocalStorage carries the actor
// through awaits without threading it through every repository's signature.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqlDatabase, SqlExecutor } from './database.ts';

export const AUDIT_ACTOR_KINDS = ['user', 'operator', 'cli', 'system', 'device'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

export interface AuditActor {
  kind: AuditActorKind;
  /** The user's or operator's id; undefined for the CLI and the platform itself. */
  id?: string | undefined;
  /** What people read: an email, `cli:alice@host`, `seed`. */
  label: string;
  /** The client address of the request, when there is one. */
  address?: string | undefined;
}

const current = new AsyncLocalStorage<AuditActor>();

export function withAuditActor<T>(actor: AuditActor, fn: () => T): T {
  return current.run(actor, fn);
}

export function currentAuditActor(): AuditActor | undefined {
  return current.getStore();
}

/** Copies the current actor into the transaction (no-op without one: the log says `system`). */
export async function applyAuditActor(tx: SqlExecutor): Promise<void> {
  const actor = current.getStore();
  if (!actor) return;
  await tx.query(
    `select set_config('fleet.actor_kind', $1, true), set_config('fleet.actor_id', $2, true),
            set_config('fleet.actor_label', $3, true), set_config('fleet.actor_address', $4, true)`,
    [actor.kind, actor.id ?? '', actor.label.slice(0, 300), actor.address ?? ''],
  );
}

/** A transaction outside any organisation (operators, the CLI) whose changes name their actor. */
export function inAuditedTransaction<T>(db: SqlDatabase, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await applyAuditActor(tx);
    return fn(tx);
  });
}
