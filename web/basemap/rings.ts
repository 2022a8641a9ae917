// Joining way pieces into rings by their shared end nodes: multipolygon relations give their
// outlines as several member ways, and the coastline comes as many ways end to end.

export interface JoinedRings {
  /** Closed rings of node ids (first id = last id). */
  closed: string[][];
  /** Chains that could not be closed (a member way is missing from the extract, or a coastline). */
  open: string[][];
}

/**
 * Joins node-id chains end to end. `reversible` pieces may be turned round where they meet the
 * wrong way (member ways of a relation have no agreed direction); coastline pieces may not, their
 * direction says which side is water. Pieces with fewer than two ids are dropped. Pieces are
 * found by an index of their end nodes, so a long coastline of thousands of ways joins in
 * linear time.
 */
export function joinIntoRings(pieces: readonly (readonly string[])[], reversible: boolean): JoinedRings {
  const pool = pieces.filter((p) => p.length >= 2);
  const used = pool.map(() => false);
  const byFirst = new Map<string, number[]>();
  const byLast = new Map<string, number[]>();
  const index = (map: Map<string, number[]>, id: string, i: number) => {
    const list = map.get(id);
    if (list) list.push(i);
    else map.set(id, [i]);
  };
  pool.forEach((p, i) => {
    index(byFirst, p[0] as string, i);
    index(byLast, p[p.length - 1] as string, i);
  });
  const closed: string[][] = [];
  const open: string[][] = [];
  for (let start = 0; start < pool.length; start++) {
    if (used[start]) continue;
    used[start] = true;
    // Pieces joined before the first one are kept apart and put in front once, so a chain of
    // thousands of ways is not copied once per way.
    const before: string[][] = [];
    const chain = [...(pool[start] as string[])];
    let head = chain[0] as string;
    let tail = chain[chain.length - 1] as string;
    while (head !== tail) {
      const next = nextPiece(tail, head);
      if (!next) break;
      used[next.i] = true;
      const piece = pool[next.i] as string[];
      if (next.at === 'tail') {
        const added = next.reversed ? [...piece].reverse() : piece;
        for (let k = 1; k < added.length; k++) chain.push(added[k] as string);
        tail = added[added.length - 1] as string;
      } else {
        const added = next.reversed ? [...piece].reverse() : piece;
        before.push(added.slice(0, -1));
        head = added[0] as string;
      }
    }
    const ring = [...before.reverse().flat(), ...chain];
    if (ring.length >= 4 && head === tail) closed.push(ring);
    else open.push(ring);
  }
  return { closed, open };

  function nextPiece(
    tail: string,
    head: string,
  ): { i: number; at: 'tail' | 'head'; reversed: boolean } | undefined {
    const options: [Map<string, number[]>, string, 'tail' | 'head', boolean][] = [
      [byFirst, tail, 'tail', false],
      [byLast, head, 'head', false],
    ];
    if (reversible) options.push([byLast, tail, 'tail', true], [byFirst, head, 'head', true]);
    for (const [map, id, at, reversed] of options) {
      const i = map.get(id)?.find((j) => !used[j]);
      if (i !== undefined) return { i, at, reversed };
    }
    return undefined;
  }
}
