// The safety net: guarded callbacks never throw, faults are counted by boundary in the
// registry and logged once per site per interval, and the boundary's own answer runs.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createFaultReporter, guard, guardAsync } from '../src/fault.ts';
import { createLogger } from '../src/log.ts';

function capturingReporter() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('test', 'info', 'json');
  // pino writes through its destination; capture by wrapping error()
  const logger = Object.assign(Object.create(log), {
    error: (obj: Record<string, unknown>) => lines.push(obj),
  }) as typeof log;
  let now = 0;
  const registry = new Registry();
  const reporter = createFaultReporter({ log: logger, registry, logEveryMs: 1000, now: () => now });
  return { reporter, registry, lines, advance: (ms: number) => (now += ms) };
}

describe('the fault reporter', () => {
  it('counts every fault by boundary and site, and logs a repeating one once per interval', async () => {
    const { reporter, registry, lines, advance } = capturingReporter();
    for (let i = 0; i < 100; i++) reporter.report('mqtt', 'authenticate', new Error('boom'));
    reporter.report('http', 'getDevice', new Error('other'));
    expect(lines).toHaveLength(2);
    advance(1500);
    reporter.report('mqtt', 'authenticate', new Error('boom'));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ boundary: 'mqtt', site: 'authenticate', suppressed: 99 });
    const text = await registry.metrics();
    expect(text).toContain('fleet_unexpected_errors_total{boundary="mqtt",site="authenticate"} 101');
    expect(text).toContain('fleet_unexpected_errors_total{boundary="http",site="getDevice"} 1');
  });

  it('one counter per registry, however many reporters use it', () => {
    const registry = new Registry();
    const log = createLogger('test', 'silent');
    createFaultReporter({ log, registry });
    expect(() => createFaultReporter({ log, registry })).not.toThrow();
  });
});

describe('guard and guardAsync', () => {
  it('turn a throw into the boundary answer and never throw themselves', () => {
    const { reporter, lines } = capturingReporter();
    const answers: string[] = [];
    const wrapped = guard(
      reporter,
      'websocket',
      'message',
      (text: string) => {
        throw new Error(`bad ${text}`);
      },
      (_err, text) => {
        answers.push(`error frame for ${text}`);
        throw new Error('the answer failed too');
      },
    );
    expect(() => wrapped('hello')).not.toThrow();
    expect(answers).toEqual(['error frame for hello']);
    expect(lines.map((l) => l.site)).toEqual(['message', 'message.onFault']);
  });

  it('catch a rejection and a synchronous throw of async work alike', async () => {
    const { reporter, registry } = capturingReporter();
    const rejected: unknown[] = [];
    const failing = guardAsync(
      reporter,
      'bus',
      'position',
      async () => {
        await Promise.resolve();
        throw new Error('late');
      },
      (err) => rejected.push(err),
    );
    const throwing = guardAsync(reporter, 'timer', 'tick', () => {
      throw new Error('early');
    });
    failing();
    throwing();
    await new Promise((r) => setTimeout(r, 10));
    expect(rejected).toHaveLength(1);
    const text = await registry.metrics();
    expect(text).toContain('boundary="bus",site="position"} 1');
    expect(text).toContain('boundary="timer",site="tick"} 1');
  });
});
