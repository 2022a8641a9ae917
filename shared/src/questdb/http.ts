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
    const answer = parseAnswer(await res.text());
    if (answer === undefined && res.ok)
      throw new QuestDbQueryError(
        'questdb_bad_answer',
        `QuestDB answered with invalid JSON [${sql.slice(0, 200)}]`,
      );
    const body = (answer ?? {}) as Partial<QueryResult> & { error?: string; ddl?: string };
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

// Raw control characters are never valid JSON, inside strings or out; QuestDB writes stored ones
// as they are (rows from before the ingest escaped them). Escaping them keeps such rows readable.
// Tab, LF and CR are left alone: outside strings they are whitespace.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/**
 * QuestDB's answer as JSON, or undefined when it is not JSON. The caller makes that an error,
 * never an empty result: a read that silently returned nothing hid stored events.
 */
function parseAnswer(text: string): unknown {
  try {
    return JSON.parse(
      text.replace(RAW_CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    );
  } catch {
    return undefined;
  }
}

/** Quotes a string literal for QuestDB SQL. Symbols and ids only; never a whole clause. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
