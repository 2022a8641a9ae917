// Counting what a bench stored: rows of one tenant in a QuestDB table, once QuestDB has applied
// every WAL transaction and the count stopped moving.
import { setTimeout as sleep } from 'node:timers/promises';
import { type QuestDbHttp, sqlString } from '@fleet/shared/questdb';
import { fmt } from './progress.ts';

const STORE_SETTLE_TIMEOUT_MS = 120_000;

/** Rows of the tenant in `table`, optionally narrowed by `and <condition>` (trusted SQL). */
export async function countRows(
  q: QuestDbHttp,
  table: string,
  orgId: string,
  condition?: string,
): Promise<number> {
  try {
    const r = await q.exec(
      `select count() from ${table} where tenant = ${sqlString(orgId)}${condition ? ` and ${condition}` : ''}`,
    );
    return Number(r.dataset[0]?.[0] ?? 0);
  } catch (err) {
    // telemetry_rejects may not exist yet in an old schema; a missing table is zero rows.
    if (/does not exist/i.test((err as Error).message)) return 0;
    throw err;
  }
}

/**
 * The WAL state of a table: whether QuestDB has applied every committed transaction, and how
 * many transactions were committed so far (one per group commit of the broker).
 */
export async function walState(
  q: QuestDbHttp,
  table: string,
): Promise<{ applied: boolean; txns: number } | undefined> {
  let rows: { writerTxn: number; sequencerTxn: number; suspended: boolean }[];
  try {
    rows = await q.rows(
      `select writerTxn, sequencerTxn, suspended from wal_tables() where name = ${sqlString(table)}`,
    );
  } catch {
    return undefined; // an older QuestDB without these columns: fall back to a stable count
  }
  const r = rows[0];
  if (!r) return undefined;
  if (r.suspended) throw new Error(`QuestDB suspended the WAL apply of ${table}; see its log`);
  return { applied: Number(r.writerTxn) >= Number(r.sequencerTxn), txns: Number(r.sequencerTxn) };
}

export interface StoreCount {
  rows: number;
  rejects: number;
  /** WAL transactions of the telemetry table so far; undefined when unknown. */
  txns: number | undefined;
  settleMs: number;
  settled: boolean;
}

/**
 * Polls the bench tenant's telemetry row count until QuestDB has applied all WAL transactions
 * and the count stopped moving.
 */
export async function settledCount(
  q: QuestDbHttp,
  orgId: string,
  progress: (line: string) => void,
  label: string,
): Promise<StoreCount> {
  const started = performance.now();
  let last = -1;
  let stable = 0;
  let wal: Awaited<ReturnType<typeof walState>>;
  while (performance.now() - started < STORE_SETTLE_TIMEOUT_MS) {
    const rows = await countRows(q, 'telemetry', orgId);
    wal = await walState(q, 'telemetry');
    stable = rows === last ? stable + 1 : 0;
    last = rows;
    if ((wal?.applied === true && stable >= 1) || stable >= 4) {
      const rejects = await countRows(q, 'telemetry_rejects', orgId);
      return { rows, rejects, txns: wal?.txns, settleMs: performance.now() - started, settled: true };
    }
    progress(
      `[${label}] waiting for QuestDB: ${fmt(rows)} rows${wal?.applied === false ? ', WAL apply pending' : ''}`,
    );
    await sleep(500);
  }
  const rejects = await countRows(q, 'telemetry_rejects', orgId);
  return { rows: last, rejects, txns: wal?.txns, settleMs: performance.now() - started, settled: false };
}
