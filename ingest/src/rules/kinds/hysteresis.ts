// A level alarm with hysteresis: on below `on`, off only above `off`, and in between whatever
// it was (a fuel gauge or a battery hovering at the threshold raises one alert, not a storm).
// Shared by low_fuel, low_battery and threshold; the state lives in the kind's memory.

/** Low-side alarm: true below `below`, false above `below + hysteresis`, else `previous`. */
export function lowState(value: number, below: number, hysteresis: number, previous: boolean): boolean {
  if (value < below) return true;
  if (value > below + hysteresis) return false;
  return previous;
}

/** Keeps the lowest of a numeric detail across an open episode's updates. */
export function keepLowest(key: string) {
  return (previous: Record<string, string | number | boolean | null>, next: typeof previous) => {
    const a = previous[key];
    const b = next[key];
    return {
      ...previous,
      ...next,
      [key]: typeof a === 'number' && typeof b === 'number' ? Math.min(a, b) : (b ?? a ?? null),
    };
  };
}

/** Keeps the highest of a numeric detail across an open episode's updates. */
export function keepHighest(key: string) {
  return (previous: Record<string, string | number | boolean | null>, next: typeof previous) => {
    const a = previous[key];
    const b = next[key];
    return {
      ...previous,
      ...next,
      [key]: typeof a === 'number' && typeof b === 'number' ? Math.max(a, b) : (b ?? a ?? null),
    };
  };
}
