import {
  type BusLink,
  type BusMessage,
  type DeviceStatusEvent,
  type EventBus,
  type FleetTopic,
  InProcessEventBus,
  LinkedEventBus,
  MAX_EVENTS_PER_BUS_MESSAGE,
  type PositionEvent,
} from '@fleet/shared';
import fc from 'fast-check';
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
  const nextTurn = () => new Promise((r) => setImmediate(r));

  it('delivers to the other process too, as a copy, and not back to the sender', async () => {
    const [a, b] = linkedPair();
    const busA = new LinkedEventBus(a);
    const busB = new LinkedEventBus(b);
    const inA: string[] = [];
    const inB: PositionEvent[] = [];
    busA.subscribe('position', (e) => inA.push(e.deviceId));
    busB.subscribe('position', (e) => inB.push(e));
    busA.publish('position', position);
    expect(inA).toEqual(['d1']);
    await nextTurn();
    expect(inB).toEqual([position]);
    expect(inB[0]).not.toBe(position);
  });

  it('sends the events of one turn as one message, in order, split at the size cap', async () => {
    const [a, b, sent] = linkedPair();
    const busA = new LinkedEventBus(a);
    const busB = new LinkedEventBus(b);
    const order: string[] = [];
    busB.subscribe('status', (e) => order.push(`s:${e.deviceId}`));
    busB.subscribe('position', (e) => order.push(`p:${e.deviceId}`));
    busA.publish('status', status('d1'));
    busA.publish('position', position);
    busA.publish('status', status('d2'));
    expect(sent).toHaveLength(0); // not before the turn ends
    await nextTurn();
    expect(sent).toHaveLength(1);
    expect(order).toEqual(['s:d1', 'p:d1', 's:d2']);
    for (let i = 0; i < MAX_EVENTS_PER_BUS_MESSAGE + 5; i++) busA.publish('status', status(`x${i}`));
    expect(sent).toHaveLength(2); // a full message goes at once
    await nextTurn();
    expect(sent).toHaveLength(3);
    expect(sent[1]?.events).toHaveLength(MAX_EVENTS_PER_BUS_MESSAGE);
    expect(sent[2]?.events).toHaveLength(5);
    expect(order).toHaveLength(3 + MAX_EVENTS_PER_BUS_MESSAGE + 5);
  });

  it('close() sends what is waiting first', async () => {
    const [a, , sent] = linkedPair();
    const bus = new LinkedEventBus(a);
    bus.publish('status', status('d1'));
    await bus.close();
    expect(sent.map((m) => m.events.length)).toEqual([1]);
  });

  it('drops messages and events that are not bus events of a known topic, keeping the good ones', () => {
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
      { t: 'bus', topic: 'status', event: status('old-shape') },
      { t: 'bus', events: 'nope' },
      {
        t: 'bus',
        events: [
          null,
          1,
          { topic: 'nope', event: {} },
          { topic: 'status' },
          { topic: 'status', event: null },
        ],
      },
      { t: 'db' },
    ])
      deliver?.(junk as BusMessage);
    deliver?.({
      t: 'bus',
      events: [
        { topic: 'nope' as never, event: {} },
        { topic: 'status', event: status('d9') },
      ],
    });
    expect(got).toEqual([status('d9')]);
  });

  it('answers any generated message without throwing, delivering only well-formed events', () => {
    let deliver: ((m: BusMessage) => void) | undefined;
    const bus = new LinkedEventBus({
      send() {},
      onMessage: (h) => {
        deliver = h;
        return () => {};
      },
    });
    let got = 0;
    bus.subscribe('status', () => got++);
    fc.assert(
      fc.property(fc.anything(), fc.array(fc.anything(), { maxLength: 5 }), (junk, events) => {
        const before = got;
        const good = events.filter(
          (e) =>
            typeof e === 'object' &&
            e !== null &&
            (e as { topic?: unknown }).topic === 'status' &&
            typeof (e as { event?: unknown }).event === 'object' &&
            (e as { event?: unknown }).event !== null,
        ).length;
        deliver?.(junk as BusMessage);
        const afterJunk = got;
        deliver?.({ t: 'bus', events } as BusMessage);
        expect(got - afterJunk).toBe(good);
        expect(afterJunk - before).toBeGreaterThanOrEqual(0);
      }),
      { seed: 1502, numRuns: 300 },
    );
  });

  it('still delivers locally when the link is gone', async () => {
    const bus = new LinkedEventBus({
      send() {
        throw new Error('channel closed');
      },
      onMessage: () => () => {},
    });
    const got: string[] = [];
    bus.subscribe('status', (e) => got.push(e.deviceId));
    expect(() => bus.publish('status', status('d1'))).not.toThrow();
    await nextTurn();
    expect(got).toEqual(['d1']);
  });
});
