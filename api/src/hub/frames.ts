// Positions frames as bytes, in the format each client asked for (json or columns, live.ts).
// A tick's positions are serialised once, value by value; every client's frame is then joined
// from those pieces (the whole batch for full-fleet clients, once per format; a subset for a
// viewport or a scoped user), so 2,000 clients cost 2,000 joins, not 2,000 JSON.stringify calls.
import { type HubFrameFormat, type LivePosition, POSITION_COLUMNS, VEHICLE_STATUSES } from '@fleet/shared';

const COLUMN_COUNT = POSITION_COLUMNS.length;

/** One tick's positions, serialised once, from which each client's frame is put together. */
export class EncodedPositions {
  readonly positions: readonly LivePosition[];
  readonly at: number;
  #rows: string[] | undefined;
  /** Per position, its values in POSITION_COLUMNS order. */
  #cells: string[][] | undefined;
  readonly #whole = new Map<HubFrameFormat, Buffer>();

  constructor(positions: readonly LivePosition[], at: number) {
    this.positions = positions;
    this.at = at;
  }

  /** The frame of all positions, or of those at `rows` (indices into `positions`). */
  frame(format: HubFrameFormat, rows?: readonly number[]): Buffer {
    if (rows === undefined) {
      let whole = this.#whole.get(format);
      if (!whole) {
        whole = Buffer.from(this.#text(format, undefined));
        this.#whole.set(format, whole);
      }
      return whole;
    }
    return Buffer.from(this.#text(format, rows));
  }

  #text(format: HubFrameFormat, rows: readonly number[] | undefined): string {
    const head = `{"type":"positions","at":${this.at},`;
    if (format === 'json') {
      this.#rows ??= this.positions.map((p) => JSON.stringify(p));
      const all = this.#rows;
      const body = rows === undefined ? all.join(',') : rows.map((i) => all[i]).join(',');
      return `${head}"positions":[${body}]}`;
    }
    this.#cells ??= this.positions.map((p) => cellsOf(p, this.at));
    const cells = this.#cells;
    const picked = rows === undefined ? cells : rows.map((i) => cells[i] as string[]);
    const columns: string[] = [];
    for (let c = 0; c < COLUMN_COUNT; c++) {
      columns.push(`"${POSITION_COLUMNS[c]}":[${picked.map((r) => r[c]).join(',')}]`);
    }
    return `${head}"cols":{${columns.join(',')}}}`;
  }
}

/** A position's values in POSITION_COLUMNS order, each as JSON (positionsToColumns, one row). */
function cellsOf(p: LivePosition, at: number): string[] {
  return [
    JSON.stringify(p.deviceId),
    String(p.ts - at),
    JSON.stringify(p.lat),
    JSON.stringify(p.lon),
    JSON.stringify(p.speedKmh),
    JSON.stringify(p.headingDeg),
    p.ignition === null ? 'null' : p.ignition ? '1' : '0',
    String(VEHICLE_STATUSES.indexOf(p.status)),
  ];
}

/** One positions frame for one client (a backlog flushed, a redraw). */
export function positionsFrame(
  positions: readonly LivePosition[],
  at: number,
  format: HubFrameFormat,
): Buffer {
  return new EncodedPositions(positions, at).frame(format);
}
