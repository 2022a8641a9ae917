// Which rows of a long list are on screen: only those (plus a few either side) are rendered,
// so a list of 10,000 devices costs as much as one of 30.

export interface VirtualWindow {
  /** First row rendered. */
  start: number;
  /** One past the last row rendered. */
  end: number;
  /** Offset of the first rendered row from the top of the list, px. */
  offset: number;
  /** Height of the whole list, px. */
  height: number;
}

export function virtualWindow(
  count: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
  overscan = 6,
): VirtualWindow {
  if (!(rowHeight > 0)) throw new Error(`row height must be > 0, got ${rowHeight}`);
  const height = count * rowHeight;
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, height - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offset: start * rowHeight, height };
}

/** The scrollTop that brings row `index` into view (unchanged when it already is). */
export function scrollToRow(
  index: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return scrollTop;
}
