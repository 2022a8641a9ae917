// Units from names: the rule catalogue puts each parameter's unit in its name (limitKmh,
// minDurationS, distanceM, belowV ... in camelCase, as @fleet/shared/rules writes them; the
// snake_case forms limit_kmh, window_min are read too), and the engine names an alert's figures
// the same way (peakKmh, lowestPct). One reader of those suffixes serves the rule form's inputs
// and the alert's facts.

export interface NamedUnit {
  /** The name without its unit: `minDuration` of `minDurationS`. */
  stem: string;
  /** The unit as people read it (`km/h`, `s`, `%`), or undefined when the name has none. */
  unit: string | undefined;
}

/** Suffix (as written in camelCase) → unit; longest first so `Min` is not read as `M`. */
const SUFFIXES: readonly [suffix: string, unit: string][] = [
  ['Kmh', 'km/h'],
  ['Pct', '%'],
  ['Min', 'min'],
  ['Km', 'km'],
  ['S', 's'],
  ['M', 'm'],
  ['L', 'l'],
  ['V', 'V'],
  ['C', '°C'],
  ['G', 'g'],
];

export function nameUnit(name: string): NamedUnit {
  for (const [suffix, unit] of SUFFIXES) {
    // snake_case: limit_kmh, window_min
    const snake = `_${suffix.toLowerCase()}`;
    if (name.length > snake.length && name.endsWith(snake))
      return { stem: name.slice(0, -snake.length), unit };
    // camelCase: the suffix starts with a capital after a lower-case letter or digit.
    const before = name[name.length - suffix.length - 1] ?? '';
    if (name.endsWith(suffix) && /[a-z0-9]/.test(before))
      return { stem: name.slice(0, -suffix.length), unit };
  }
  return { stem: name, unit: undefined };
}

/** `minDuration` → `Min duration`, `clear_delay` → `Clear delay`. */
export function words(stem: string): string {
  const spaced = stem
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** A parameter's or figure's label with its unit: `Min duration (s)`. */
export function unitLabel(name: string, known: Readonly<Record<string, string>> = {}): string {
  const { stem, unit } = nameUnit(name);
  const text = known[name] ?? words(stem);
  return unit === undefined ? text : `${text} (${unit})`;
}

/** A value with the unit its name carries: `97.5 km/h`, `30 s`, `8 %`. */
export function withUnit(name: string, value: string | number | boolean | null): string {
  if (value === null) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  const { unit } = nameUnit(name);
  const text = typeof value === 'number' ? formatNumber(value) : value;
  if (unit === undefined || typeof value !== 'number') return text;
  return unit === '%' ? `${text} %` : `${text} ${unit}`;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}
