// The throttle behind the device page's refetch of latest values: at most one run per interval,
// never two at once, and the last request always served.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Throttle } from '../src/lib/device/throttle.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A task that resolves when the test says, counting its runs. */
function manualTask() {
  const runs: number[] = [];
  const finishers: (() => void)[] = [];
  const task = () =>
    new Promise<void>((resolve) => {
      runs.push(Date.now());
      finishers.push(resolve);
    });
  return { runs, task, finish: async () => finishers.shift()?.() };
}

async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

describe('Throttle', () => {
  it('runs the first request at once, then at most once per interval, trailing', async () => {
    const t = manualTask();
    const throttle = new Throttle(5000, t.task);
    throttle.request();
    expect(t.runs).toEqual([1_000_000]);
    await t.finish();
    await settle();
    // Ten requests within the interval: one more run, at its end.
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(300);
      throttle.request();
    }
    expect(t.runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.runs).toEqual([1_000_000, 1_005_000]);
    await t.finish();
    await settle();
    // Nothing asked since: no more runs.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(t.runs).toHaveLength(2);
  });

  it('never runs twice at once: a request during a slow run is served after it', async () => {
    const t = manualTask();
    const throttle = new Throttle(1000, t.task);
    throttle.request();
    expect(throttle.running).toBe(true);
    await vi.advanceTimersByTimeAsync(3000);
    throttle.request();
    throttle.request();
    expect(t.runs).toHaveLength(1);
    await t.finish();
    await settle();
    // The interval has passed: the pending request runs when the first run ends.
    expect(t.runs).toEqual([1_000_000, 1_003_000]);
  });

  it('keeps going after a failed run', async () => {
    let calls = 0;
    const throttle = new Throttle(1000, async () => {
      calls++;
      throw new Error('boom');
    });
    throttle.request();
    await settle();
    throttle.request();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(2);
    const sync = new Throttle(0, () => {
      calls++;
      throw new Error('sync boom');
    });
    sync.request();
    await settle();
    sync.request();
    await settle();
    expect(calls).toBe(4);
  });

  it('runs now on demand, whatever the interval, but not over a run', async () => {
    const t = manualTask();
    const throttle = new Throttle(60_000, t.task);
    throttle.now();
    throttle.now();
    expect(t.runs).toHaveLength(1);
    await t.finish();
    await settle();
    throttle.now();
    expect(t.runs).toHaveLength(2);
  });

  it('stops when disposed, a scheduled run included', async () => {
    const t = manualTask();
    const throttle = new Throttle(5000, t.task);
    throttle.request();
    await t.finish();
    await settle();
    throttle.request();
    throttle.dispose();
    throttle.request();
    throttle.now();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.runs).toHaveLength(1);
  });

  it('refuses a negative interval', () => {
    expect(() => new Throttle(-1, async () => {})).toThrow(/interval/);
  });
});
