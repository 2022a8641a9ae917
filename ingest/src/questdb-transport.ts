// The one way rows reach QuestDB: ILP over HTTP (POST /write), one request per group commit.
// QuestDB answers 204 only after the rows are committed to its WAL, which is what the PUBACK
// waits for. Retries are the group committer's job; a request here fails fast and clearly.
import { FleetError } from '@fleet/shared';
import { type CommitTransport, RowsRefusedError } from './group-commit.ts';
import { encodeRows } from './ilp.ts';
import type { StoredRow } from './rows.ts';

export class QuestDbWriteError extends FleetError {}

export class QuestDbTransport implements CommitTransport<StoredRow> {
  readonly #writeUrl: string;
  readonly #timeoutMs: number;

  constructor(httpUrl: string, requestTimeoutMs = 5000) {
    this.#writeUrl = `${httpUrl.replace(/\/+$/, '')}/write?precision=u`;
    this.#timeoutMs = requestTimeoutMs;
  }

  async send(rows: readonly StoredRow[]): Promise<void> {
    const body = encodeRows(rows);
    let res: Response;
    try {
      res = await fetch(this.#writeUrl, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new QuestDbWriteError('questdb_unreachable', `QuestDB write failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const answer = await res.text().catch(() => '');
    // 400: QuestDB parsed the request and refused a row of it (a value its column cannot hold);
    // the same rows would be refused again. Anything else may pass on a retry.
    if (res.status === 400) throw new RowsRefusedError(`QuestDB refused rows (400): ${answer.slice(0, 300)}`);
    if (res.status !== 204) {
      throw new QuestDbWriteError(
        'questdb_write_refused',
        `QuestDB refused a write (${res.status}): ${answer.slice(0, 300)}`,
      );
    }
  }

  async close(): Promise<void> {}
}
