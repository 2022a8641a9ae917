import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REFUSAL_REASONS, RefusalLog, type RefusalReason } from '../../src/refusals.ts';

interface LogLine {
  level: number;
  msg: string;
  unlogged?: number;
  linesLogged?: number;
  reason?: string;
  deviceId?: string;
  address?: string;
  detail?: string;
  suppressedBefore?: number;
}

function setup(windowMs = 60_000, maxLinesPerReason?: number) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const log = pino({ level: 'info' }, destination);
  const registry = new Registry();
  const counter = new Counter({
    name: 'test_refusals_total',
    help: 'refusals',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const refusals = new RefusalLog(counter, log, windowMs, maxLinesPerReason);
  const parsed = () => lines.map((l) => JSON.parse(l) as LogLine);
  const count = async (reason: RefusalReason) => {
    const metric = await counter.get();
    return metric.values.find((v) => v.labels.reason === reason)?.value;
  };
  return { lines, parsed, refusals, count, registry };
}

describe('RefusalLog', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_750_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('exports a zero for every reason before anything is refused', async () => {
    const { count, registry } = setup();
    for (const reason of REFUSAL_REASONS) expect(await count(reason)).toBe(0);
    const text = await registry.metrics();
    expect(text).toContain('test_refusals_total{reason="packet_too_large"} 0');
  });

  it('counts every refusal, logged or not', async () => {
    const { refusals, count } = setup();
    for (let i = 0; i < 5; i++) refusals.refuse('bad_credentials', { deviceId: 'dev-1' });
    refusals.refuse('message_rate', { deviceId: 'dev-1' });
    refusals.refuse('bad_credentials', { address: '10.0.0.1:5555' });
    expect(await count('bad_credentials')).toBe(6);
    expect(await count('message_rate')).toBe(1);
    expect(await count('topic_sys')).toBe(0);
  });

  it('logs once per (who, reason) per window, then reports how many were suppressed', () => {
    const { refusals, parsed } = setup(60_000);
    for (let i = 0; i < 10; i++) refusals.refuse('message_rate', { deviceId: 'dev-1' }, `#${i}`);
    expect(parsed()).toHaveLength(1);
    expect(parsed()[0]).toMatchObject({
      level: 40,
      msg: 'refused: message_rate',
      reason: 'message_rate',
      deviceId: 'dev-1',
      detail: '#0',
    });
    expect(parsed()[0]?.suppressedBefore).toBeUndefined();

    vi.advanceTimersByTime(59_999);
    refusals.refuse('message_rate', { deviceId: 'dev-1' });
    expect(parsed()).toHaveLength(1);

    vi.advanceTimersByTime(1);
    refusals.refuse('message_rate', { deviceId: 'dev-1' }, 'again');
    expect(parsed()).toHaveLength(2);
    expect(parsed()[1]).toMatchObject({ reason: 'message_rate', detail: 'again', suppressedBefore: 10 });
  });

  it('keeps (who, reason) pairs apart', () => {
    const { refusals, parsed } = setup();
    refusals.refuse('message_rate', { deviceId: 'dev-1' });
    refusals.refuse('message_rate', { deviceId: 'dev-2' });
    refusals.refuse('topic_sys', { deviceId: 'dev-1' });
    refusals.refuse('bad_credentials', { address: '10.0.0.1:1' });
    refusals.refuse('bad_credentials', { address: '10.0.0.2:1' });
    refusals.refuse('bad_credentials', { address: '10.0.0.2:1' });
    const seen = parsed().map((l) => `${l.reason}|${l.deviceId ?? l.address}`);
    expect(seen).toEqual([
      'message_rate|dev-1',
      'message_rate|dev-2',
      'topic_sys|dev-1',
      'bad_credentials|10.0.0.1:1',
      'bad_credentials|10.0.0.2:1',
    ]);
  });

  it('prefers the device id over the address as "who"', () => {
    const { refusals, parsed } = setup();
    refusals.refuse('message_rate', { deviceId: 'dev-1', address: '10.0.0.1:1' });
    refusals.refuse('message_rate', { deviceId: 'dev-1', address: '10.0.0.1:2' });
    refusals.refuse('message_rate', { deviceId: null, address: '10.0.0.1:1' });
    expect(parsed()).toHaveLength(2);
    expect(parsed()[0]).toMatchObject({ deviceId: 'dev-1', address: '10.0.0.1:1' });
    expect(parsed()[1]).toMatchObject({ address: '10.0.0.1:1' });
    expect(parsed()[1]?.deviceId).toBeUndefined();
  });

  it('never logs a password or token, even when the caller passes its whole client object', () => {
    const { refusals, lines } = setup();
    const password = 'fdt_S3cretTokenValueThatMustNeverBeLogged0000000';
    const client = {
      deviceId: 'dev-1',
      address: '10.0.0.9:4000',
      password,
      token: password,
      username: 'dev-1',
      connect: { password: Buffer.from(password) },
    };
    refusals.refuse('bad_credentials', client);
    refusals.refuse('device_disabled', client, 'device is disabled');
    refusals.refuse('client_id_mismatch', client);
    expect(lines).toHaveLength(3);
    const all = lines.join('\n');
    expect(all).not.toContain(password);
    expect(all).not.toContain('S3cret');
    expect(all).not.toContain(Buffer.from(password).toString('base64'));
    expect(all).not.toContain('password');
    expect(all).not.toContain('"token"');
  });

  it('aggregates a flood of ever new clients: a few lines per reason and window, then a count', async () => {
    const { refusals, parsed, count } = setup(60_000, 5);
    for (let i = 0; i < 10_000; i++) refusals.refuse('unknown_device', { deviceId: `made-up-${i}` });
    refusals.refuse('bad_credentials', { deviceId: 'dev-1' });
    expect(await count('unknown_device')).toBe(10_000);
    const lines = parsed();
    expect(lines.filter((l) => l.reason === 'unknown_device')).toHaveLength(6);
    expect(lines[5]).toMatchObject({ reason: 'unknown_device', linesLogged: 5 });
    expect(lines[5]?.msg).toContain('counted in fleet_mqtt_refusals_total');
    // Other reasons have lines of their own.
    expect(lines.at(-1)).toMatchObject({ reason: 'bad_credentials', deviceId: 'dev-1' });

    // The next window starts with how many the last one left out, then logs again.
    vi.advanceTimersByTime(60_000);
    refusals.refuse('unknown_device', { deviceId: 'made-up-next' });
    const next = parsed().slice(lines.length);
    expect(next).toHaveLength(2);
    expect(next[0]).toMatchObject({ reason: 'unknown_device', unlogged: 10_000 - 5 });
    expect(next[1]).toMatchObject({ reason: 'unknown_device', deviceId: 'made-up-next' });
  });
});
