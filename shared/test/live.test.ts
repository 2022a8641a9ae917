import { describe, expect, it } from 'vitest';
import { hubClientMessage } from '../src/hub-messages.ts';
import { classifyStatus, HUB_TOPIC, MOVING_SPEED_KMH } from '../src/live.ts';

describe('classifyStatus', () => {
  const now = 1_000_000_000;
  const offlineAfter = 300_000;
  it.each([
    ['never heard from', { lastSeenAt: undefined, speedKmh: 50, ignition: true }, 'offline'],
    ['silent too long', { lastSeenAt: now - offlineAfter - 1, speedKmh: 50, ignition: true }, 'offline'],
    ['exactly at the limit', { lastSeenAt: now - offlineAfter, speedKmh: 50, ignition: true }, 'moving'],
    ['moving', { lastSeenAt: now, speedKmh: MOVING_SPEED_KMH, ignition: undefined }, 'moving'],
    ['GPS jitter at a standstill, engine on', { lastSeenAt: now, speedKmh: 2.9, ignition: true }, 'idle'],
    ['engine off', { lastSeenAt: now, speedKmh: 0, ignition: false }, 'stopped'],
    ['ignition unknown', { lastSeenAt: now, speedKmh: undefined, ignition: undefined }, 'stopped'],
  ] as const)('%s', (_, input, expected) => {
    expect(classifyStatus(input, now, offlineAfter)).toBe(expected);
  });
});

describe('hub client messages', () => {
  it('accepts the four operations', () => {
    for (const m of [
      { op: 'auth', token: 'x' },
      { op: 'subscribe', topics: ['positions', 'status', 'events', 'alerts', 'device:abc-123'] },
      { op: 'unsubscribe', topics: ['positions'] },
      { op: 'ping' },
    ]) {
      expect(hubClientMessage.safeParse(m).success, JSON.stringify(m)).toBe(true);
    }
  });
  it.each([
    [null],
    ['subscribe'],
    [{ op: 'subscribe', topics: [] }],
    [{ op: 'subscribe', topics: ['device:'] }],
    [{ op: 'subscribe', topics: ['device:a/b'] }],
    [{ op: 'subscribe', topics: ['positions'], extra: 1 }],
    [{ op: 'subscribe', topics: Array.from({ length: 101 }, () => 'positions') }],
    [{ op: 'auth', token: '' }],
    [{ op: 'drop-table' }],
  ])('refuses %j', (m) => {
    expect(hubClientMessage.safeParse(m).success).toBe(false);
  });
  it('topic pattern leaves no room for wildcards or paths', () => {
    expect(HUB_TOPIC.test('device:#')).toBe(false);
    expect(HUB_TOPIC.test('positions/..')).toBe(false);
  });
});
