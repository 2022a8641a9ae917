import {
  type BusLink,
  type BusMessage,
  type DeviceStatusEvent,
  type EventBus,
  type FleetTopic,
  InProcessEventBus,
  LinkedEventBus,
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

/** Links that relay between each other as the launcher does between its children. */
function linkedPair(): [BusLink, BusLink, BusMessage[]] {
  const handlers: [((m: BusMessage) => void) | undefined, ((m: BusMessage) => void) | undefined] = [
    undefined,
    undefined,
  ];
  const sent: BusMessage[] = [];
  const link = (me: 0 | 1): BusLink => ({
    // Structured clone, as the IPC channel does: no shared objects between processes.
    send: (m) => {
      sent.push(m);
      handlers[me === 0 ? 1 : 0]?.(structuredClone(m));
    },
    onMessage: (h) => {
      handlers[me] = h;
      return () => {
        handlers[me] = undefined;
      };
    },
  });
  return [link(0), link(1), sent];
}

type MakeBus = (onHandlerError?: (err: unknown, topic: FleetTopic) => void) => EventBus;

// One suite for every implementation of the bus: local delivery behaves the same in each.
describe.each<[string, MakeBus]>([
  ['InProcessEventBus', (onErr) => new InProcessEventBus(onErr)],
  ['LinkedEventBus', (onErr) => new LinkedEventBus(linkedPair()[0], onErr)],
])('%s', (_name, make) => {
  it('delivers an event to every subscriber of its topic, synchronously, in subscription order', () => {
    const bus = make();
    const got: string[] = [];
    bus.subscribe('status', (e) => got.push(`a:${e.deviceId}`));
    bus.subscribe('status', (e) => got.push(`b:${e.deviceId}`));
    bus.publish('status', status('d1'));
    expect(got).toEqual(['a:d1', 'b:d1']);
  });

  it('delivers the very event object, and only to its topic', () => {
    const bus = make();
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
    const bus = make();
    expect(() =>
      bus.publish('device-changed', { tenant: 't', deviceId: 'd', change: 'disabled' }),
    ).not.toThrow();
  });

  it('stops delivering after unsubscribe, leaving the other subscribers', () => {
    const bus = make();
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
    const bus = make();
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
    const bus = make((err, topic) => errors.push([err, topic]));
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
    const bus = make();
    const got: string[] = [];
    bus.subscribe('status', () => {
      throw new Error('boom');
    });
    bus.subscribe('status', (e) => got.push(e.deviceId));
    expect(() => bus.publish('status', status('d1'))).not.toThrow();
    expect(got).toEqual(['d1']);
  });

  it('close() drops every subscription', async () => {
    const bus = make();
    const got: string[] = [];
    bus.subscribe('status', (e) => got.push(e.deviceId));
    await bus.close();
    bus.publish('status', status('d1'));
    expect(got).toEqual([]);
  });
});

describe('LinkedEventBus across processes', () => {
  it('delivers to the other process too, as a copy, and not back to the sender', () => {
    const [a, b] = linkedPair();
    const busA = new LinkedEventBus(a);
    const busB = new LinkedEventBus(b);
    const inA: string[] = [];
    const inB: PositionEvent[] = [];
    busA.subscribe('position', (e) => inA.push(e.deviceId));
    busB.subscribe('position', (e) => inB.push(e));
    busA.publish('position', position);
    expect(inA).toEqual(['d1']);
    expect(inB).toEqual([position]);
    expect(inB[0]).not.toBe(position);
  });

  it('drops messages that are not bus events of a known topic', () => {
    let deliver: ((m: BusMessage) => void) | undefined;
    const bus = new LinkedEventBus({
      send() {},
      onMessage: (h) => {
        deliver = h;
        return () => {};
      },
    });
    const got: unknown[] = [];
    bus.subscribe('status', (e) => got.push(e));
    for (const junk of [
      null,
      1,
      'x',
      { t: 'bus', topic: 'nope', event: {} },
      { t: 'bus', topic: 'status' },
      { t: 'db' },
    ])
      deliver?.(junk as BusMessage);
    deliver?.({ t: 'bus', topic: 'status', event: status('d9') });
    expect(got).toEqual([status('d9')]);
  });

  it('still delivers locally when the link is gone', () => {
    const bus = new LinkedEventBus({
      send() {
        throw new Error('channel closed');
      },
      onMessage: () => () => {},
    });
    const got: string[] = [];
    bus.subscribe('status', (e) => got.push(e.deviceId));
    expect(() => bus.publish('status', status('d1'))).not.toThrow();
    expect(got).toEqual(['d1']);
  });
});
