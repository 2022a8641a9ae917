// What every bar chart of the console shares (the costs' stacks, the reports' bars): one bar per
// slot in the middle of it, the names under the bars standing flat while they fit their slot and
// tilting, cut short, when the bars get narrow, and the axes' colours.
import uPlot from 'uplot';

export const AXIS = {
  stroke: '#475569',
  grid: { stroke: '#e2e8f0', width: 1 },
  ticks: { stroke: '#cbd5e1', width: 1 },
};

/** About the width of a character of the axis's labels (12 px system-ui), in CSS px. */
const CHAR_PX = 7.5;
/** The most a tilted label keeps of its name. */
const TILTED_CHARS = 14;

/** A bar's name cut to `maxLength` characters (undefined: in full). */
export type BarLabel = (index: number, maxLength: number) => string;

/** The x scale: each bar in the middle of its slot, half a slot of room either side. */
export function barScale(n: number): uPlot.Scale {
  return { time: false, range: () => [-0.5, Math.max(0.5, n - 0.5)] };
}

/** The bars' shape: 60% of a slot, at most 56 px wide. */
export function barPaths(): uPlot.Series.PathBuilder | undefined {
  return uPlot.paths.bars?.({ size: [0.6, 56], align: 0 });
}

/**
 * The x axis of `n` bars named by `label`, asked again at each size: a label stands flat under
 * its bar while it fits its slot (names in full when there is room), and tilts, cut to
 * TILTED_CHARS, when the bars get narrow.
 */
export function barAxis(n: number, label: BarLabel): uPlot.Axis {
  const indices = Array.from({ length: n }, (_, i) => i);
  const longest = Math.max(0, ...indices.map((i) => label(i, Number.POSITIVE_INFINITY).length));
  const fits = (u: uPlot) => Math.floor((u.width - 70) / Math.max(1, n) / CHAR_PX) - 1;
  const tilt = (u: uPlot) => longest > fits(u) && fits(u) < TILTED_CHARS;
  const chars = (u: uPlot) => (tilt(u) ? TILTED_CHARS : Math.max(6, fits(u)));
  return {
    ...AXIS,
    grid: { show: false },
    splits: () => indices,
    values: (u, splits) => splits.map((i) => label(i, chars(u))),
    rotate: (u) => (tilt(u) ? -40 : 0),
    size: (u) => (tilt(u) ? 84 : 36),
  };
}

/**
 * The frame every bar chart shares: its size, a cursor that only reads (no zoom), a live legend,
 * the bars' slots on x and the y axis from 0 to a little over the tallest bar (at least `least`:
 * a share's chart goes to 100%).
 */
export function barFrame(
  layout: { width: number; height: number },
  n: number,
  least = 0,
): Pick<uPlot.Options, 'width' | 'height' | 'cursor' | 'legend' | 'scales'> {
  return {
    width: layout.width,
    height: layout.height,
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    legend: { live: true },
    scales: {
      x: barScale(n),
      y: { range: (_u, _min, max) => [0, Math.max(least, max > 0 ? max * 1.08 : 1)] },
    },
  };
}
