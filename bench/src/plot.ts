// Charts for the bench report, rendered to SVG files the report links. Vega-Lite describes a
// chart in a few lines of JSON and Vega renders it to SVG in Node without a browser or canvas
// (docs/decisions.md), so the report's plots come from the same run as its tables.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface ChartPoint {
  /** What the x axis counts (devices, clients). */
  x: number;
  y: number;
  /** The line or bar group this point belongs to. */
  series: string;
}

export interface ChartSpec {
  title: string;
  xTitle: string;
  yTitle: string;
  points: readonly ChartPoint[];
  /** Logarithmic y axis (latencies that span orders of magnitude). */
  logY?: boolean;
}

const SIZE = { width: 520, height: 260 };
const FONT = { font: 'DejaVu Sans, Helvetica, Arial, sans-serif' };

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function checkPoints(points: readonly ChartPoint[]): void {
  if (points.length === 0) throw new Error('a chart needs at least one point');
  for (const p of points)
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y))
      throw new Error(`chart point of ${p.series} is not a finite number: ${p.x}, ${p.y}`);
}

/** What every chart shares: size, font, legend, title; the data after checking it. */
function frame(c: ChartSpec, values: Record<string, unknown>[]) {
  checkPoints(c.points);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: c.title,
    ...SIZE,
    background: 'white',
    config: { ...FONT, legend: { orient: 'bottom' as const, labelLimit: 0 } },
    data: { values },
  };
}

/** Lines with points, one per series, against a quantitative x (e.g. device count). */
export function lineChartSvg(c: ChartSpec): Promise<string> {
  return render({
    ...frame(
      c,
      c.points.map((p) => ({ ...p })),
    ),
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: c.xTitle, axis: { format: ',d' } },
      y: {
        field: 'y',
        type: 'quantitative',
        title: c.yTitle,
        axis: { format: ',~r' },
        ...(c.logY ? { scale: { type: 'log' } } : {}),
      },
      color: { field: 'series', type: 'nominal', title: null },
    },
  });
}

/** Grouped bars: one group per x value (as a category), one bar per series. */
export function groupedBarChartSvg(c: ChartSpec): Promise<string> {
  return render({
    ...frame(
      c,
      c.points.map((p) => ({ ...p, group: p.x.toLocaleString('en-US') })),
    ),
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: 'group',
        type: 'ordinal',
        title: c.xTitle,
        sort: { field: 'x', order: 'ascending' },
        axis: { labelAngle: 0 },
      },
      xOffset: { field: 'series', type: 'nominal' },
      y: { field: 'y', type: 'quantitative', title: c.yTitle },
      color: { field: 'series', type: 'nominal', title: null },
    },
  });
}

export interface DualAxisSpec {
  title: string;
  xTitle: string;
  /** One series per axis: different units (e.g. fps and ms) against the same x. */
  left: { title: string; points: readonly ChartPoint[] };
  right: { title: string; points: readonly ChartPoint[] };
}

/** Two lines against the same quantitative x, each with its own y axis (left and right). */
export function dualAxisChartSvg(c: DualAxisSpec): Promise<string> {
  checkPoints(c.left.points);
  checkPoints(c.right.points);
  const x = { field: 'x', type: 'quantitative' as const, title: c.xTitle, axis: { format: ',d' } };
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    scale: { range: ['#4c78a8', '#f58518'] },
  };
  const layer = (side: DualAxisSpec['left'], orient: 'left' | 'right') => ({
    data: { values: side.points.map((p) => ({ ...p })) },
    mark: { type: 'line' as const, point: true },
    encoding: {
      x,
      y: { field: 'y', type: 'quantitative' as const, title: side.title, axis: { orient, format: ',~r' } },
      color,
    },
  });
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: c.title,
    ...SIZE,
    background: 'white',
    config: { ...FONT, legend: { orient: 'bottom', labelLimit: 0 } },
    layer: [layer(c.left, 'left'), layer(c.right, 'right')],
    resolve: { scale: { y: 'independent' } },
  });
}
