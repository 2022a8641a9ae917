// QuestDB's REST endpoint (/exec) for DDL and queries. Writes go through the ILP client in the
// ingest tier; everything that reads (tests, schema set-up, later the API) comes through here.
import { FleetError } from '../errors.ts';

export interface QueryResult {
  columns: { name: string; type: string }[];
  dataset: unknown[][];
  count: number;
}

export class QuestDbQueryError extends FleetError {}

export class QuestDbHttp {
  readonly url: string;
  readonly #timeoutMs: number;

  constructor(url: string, timeoutMs = 30_000) {
    this.url = url.replace(/\/+$/, '');
    this.#timeoutMs = timeoutMs;
  }

  async exec(sql: string): Promise<QueryResult> {
    let res: Response;
    try {
      res = await fetch(`${this.url}/exec?query=${encodeURIComponent(sql)}`, {
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new QuestDbQueryError('questdb_unreachable', `QuestDB at ${this.url} is unreachable`, {
        cause: err,
      });
    }
    const body = (await res.json().catch(() => ({}))) as Partial<QueryResult> & {
      error?: string;
      ddl?: string;
    };
    if (!res.ok || body.error) {
      throw new QuestDbQueryError(
        'questdb_query_failed',
        `QuestDB: ${body.error ?? res.statusText} [${sql}]`,
      );
    }
    return { columns: body.columns ?? [], dataset: body.dataset ?? [], count: body.count ?? 0 };
  }

  /** Rows as objects keyed by column name. */
  async rows<R extends Record<string, unknown>>(sql: string): Promise<R[]> {
    const { columns, dataset } = await this.exec(sql);
    return dataset.map((row) => Object.fromEntries(columns.map((c, i) => [c.name, row[i]])) as R);
  }
}

/** Quotes a string literal for QuestDB SQL. Symbols and ids only; never a whole clause. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
