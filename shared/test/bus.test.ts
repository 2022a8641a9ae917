import {
  type DeviceStatusEvent,
  type FleetTopic,
  InProcessEventBus,
  type PositionEvent,
} from '@fleet/shared';
import { describe, expect, it } from 'vitest';

const status = (deviceId: string, s: 'online' | 'offline' = 'online'): DeviceStatusEvent => ({
  tenant: 't1',
  deviceId,
  status: s,
  at: 1,
});

const position: PositionEvent = {
  tenant: 't1',
  deviceId: 'd1',
  ts: 10,
  receivedAt: 11,
  lat: 60.17,
  lon: 24.94,
  speedKmh: 30,
  headingDeg: 90,
  ignition: true,
  seq: 1,
};

describe('InProcessEventBus', () => {
  it('delivers an event to every subscriber of its topic, synchronously, in subscription order', () => {
    const bus = new InProcessEventBus();
    const got: string[] = [];
    bus.subscribe('status', (e) => got.push(`a:${e.deviceId}`));
    bus.subscribe('status', (e) => got.push(`b:${e.deviceId}`));
    bus.publish('status', status('d1'));
    expect(got).toEqual(['a:d1', 'b:d1']);
  });

  it('delivers the very event object, and only to its topic', () => {
    const bus = new InProcessEventBus();
    const positions: PositionEvent[] = [];
    const statuses: DeviceStatusEvent[] = [];
    bus.subscribe('position', (e) => positions.push(e));
    bus.subscribe('status', (e) => statuses.push(e));
    bus.publish('position', position);
    expect(positions).toEqual([position]);
    expect(positions[0]).toBe(position);
    expect(statuses).toEqual([]);
  });

  it('publishing with no subscribers does nothing', () => {
    const bus = new InProcessEventBus();
    expect(() =>
      bus.publish('device-changed', { tenant: 't', deviceId: 'd', change: 'disabled' }),
    ).not.toThrow();
  });

  it('stops delivering after unsubscribe, leaving the other subscribers', () => {
    const bus = new InProcessEventBus();
    const a: string[] = [];
    const b: string[] = [];
    const unsubA = bus.subscribe('status', (e) => a.push(e.deviceId));
    bus.subscribe('status', (e) => b.push(e.deviceId));
    bus.publish('status', status('d1'));
    unsubA();
    bus.publish('status', status('d2'));
    unsubA(); // idempotent
    bus.publish('status', status('d3'));
    expect(a).toEqual(['d1']);
    expect(b).toEqual(['d1', 'd2', 'd3']);
  });

  it('keeps two subscriptions of the same function apart only by identity', () => {
    const bus = new InProcessEventBus();
    let n = 0;
    const handler = () => {
      n++;
    };
    const un1 = bus.subscribe('status', handler);
    bus.subscribe('status', handler); // the same function: one subscription
    bus.publish('status', status('d1'));
    expect(n).toBe(1);
    un1();
    bus.publish('status', status('d1'));
    expect(n).toBe(1);
  });

  it('a throwing handler does not stop the others and is reported with its topic', () => {
    const errors: [unknown, FleetTopic][] = [];
    const bus = new InProcessEventBus((err, topic) => errors.push([err, topic]));
    const got: string[] = [];
    const boom = new Error('boom');
    bus.subscribe('status', (e) => got.push(`first:${e.deviceId}`));
    bus.subscribe('status', () => {
      throw boom;
    });
    bus.subscribe('status', (e) => got.push(`third:${e.deviceId}`));
    expect(() => bus.publish('status', status('d1'))).not.toThrow();
    expect(got).toEqual(['first:d1', 'third:d1']);
    expect(errors).toEqual([[boom, 'status']]);
    bus.publish('status', status('d2'));
    expect(errors).toHaveLength(2);
    expect(got).toEqual(['first:d1', 'third:d1', 'first:d2', 'third:d2']);
  });

  it('swallows handler errors when no reporter is given', () => {
    const bus = new InProcessEventBus();
    const got: string[] = [];
    bus.subscribe('status', () => {
      throw new Error('boom');
    });
    bus.subscribe('status', (e) => got.push(e.deviceId));
    expect(() => bus.publish('status', status('d1'))).not.toThrow();
    expect(got).toEqual(['d1']);
  });

  it('close() drops every subscription', async () => {
    const bus = new InProcessEventBus();
    const got: string[] = [];
    bus.subscribe('status', (e) => got.push(e.deviceId));
    await bus.close();
    bus.publish('status', status('d1'));
    expect(got).toEqual([]);
  });
});
