// Bytes and server encode time of one positions frame, JSON (an array of objects, as before the
// compact format) against columns (api/src/hub/frames.ts), for frames of the sizes the hub
// sends: measured in this process on synthetic positions, no network (bench/REPORT.md, Hub).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { LivePosition } from '@fleet/shared';
import { EncodedPositions } from '../../api/src/hub/frames.ts';

export interface EncodingFigure {
  positions: number;
  jsonBytes: number;
  columnsBytes: number;
  /** JSON.stringify of the whole frame, once (what the hub did per tick before). */
  jsonEncodeMs: number;
  /** EncodedPositions, each format from fresh: the per-tick cost of a frame in that format. */
  piecesJsonEncodeMs: number;
  columnsEncodeMs: number;
  /** A subset of a tenth of the positions, joined from pieces already made (a viewport client). */
  columnsSubsetMs: number;
}

function positions(n: number, at: number): LivePosition[] {
  return Array.from({ length: n }, (_, i) => ({
    deviceId: randomUUID(),
    ts: at - ((i * 37) % 900),
    lat: 60.17 + Math.sin(i) * 0.07,
    lon: 24.94 + Math.cos(i) * 0.14,
    speedKmh: Math.round((20 + ((i * 13) % 60)) * 10) / 10,
    headingDeg: (i * 37) % 360,
    ignition: true,
    status: 'moving',
  }));
}

/** Median ms of `runs` calls of `f`. */
function timeMs(runs: number, f: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

export function frameEncodingFigures(sizes: readonly number[] = [100, 1_000, 10_000]): EncodingFigure[] {
  return sizes.map((n) => {
    const at = Date.now();
    const ps = positions(n, at);
    const runs = n >= 10_000 ? 15 : 60;
    const rows = ps.flatMap((_, i) => (i % 10 === 0 ? [i] : []));
    const warm = new EncodedPositions(ps, at);
    warm.frame('columns');
    return {
      positions: n,
      jsonBytes: Buffer.byteLength(JSON.stringify({ type: 'positions', at, positions: ps })),
      columnsBytes: new EncodedPositions(ps, at).frame('columns').length,
      jsonEncodeMs: timeMs(runs, () => Buffer.from(JSON.stringify({ type: 'positions', at, positions: ps }))),
      piecesJsonEncodeMs: timeMs(runs, () => new EncodedPositions(ps, at).frame('json')),
      columnsEncodeMs: timeMs(runs, () => new EncodedPositions(ps, at).frame('columns')),
      columnsSubsetMs: timeMs(runs, () => warm.frame('columns', rows)),
    };
  });
}
