// A level alarm with hysteresis: on below `on`, off only above `off`, and in between whatever
// it was (a fuel gauge or a battery hovering at the threshold raises one alert, not a storm).
// Shared by low_fuel, low_battery and threshold; the state lives in the kind's memory.

/** Low-side alarm: true below `below`, false above `below + hysteresis`, else `previous`. */
export function lowState(value: number, below: number, hysteresis: number, previous: boolean): boolean {
  if (value < below) return true;
  if (value > below + hysteresis) return false;
  return previous;
}

type Details = Record<string, string | number | boolean | null>;

/** Keeps the extreme (by `pick`) of a numeric detail across an open episode's updates. */
function keepExtreme(key: string, pick: (a: number, b: number) => number) {
  return (previous: Details, next: Details): Details => {
    const a = previous[key];
    const b = next[key];
    return {
      ...previous,
      ...next,
      [key]: typeof a === 'number' && typeof b === 'number' ? pick(a, b) : (b ?? a ?? null),
    };
  };
}

/** Keeps the lowest of a numeric detail across an open episode's updates. */
export const keepLowest = (key: string) => keepExtreme(key, Math.min);

/** Keeps the highest of a numeric detail across an open episode's updates. */
export const keepHighest = (key: string) => keepExtreme(key, Math.max);
