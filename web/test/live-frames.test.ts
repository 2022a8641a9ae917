import { type HubFrame, type LivePosition, positionsToColumns } from '@fleet/shared/live';
import { describe, expect, it } from 'vitest';
import { clientMessage, isLiveDevice, isLivePosition, parseFrame } from '../src/lib/live/frames.ts';

const position = {
  deviceId: 'dev-1',
  ts: 1_790_000_000_000,
  lat: 60.17,
  lon: 24.94,
  speedKmh: 31.5,
  headingDeg: 90,
  ignition: true,
  status: 'moving',
};

/** One valid frame of every type the hub sends (typed, so a new frame type must be added here). */
const FRAMES: { [T in HubFrame['type']]: Extract<HubFrame, { type: T }> } = {
  hello: {
    type: 'hello',
    userId: 'u',
    orgId: 'o',
    role: 'dispatcher',
    tickMs: 100,
    serverTime: 1,
    expiresAt: 2,
  },
  subscribed: { type: 'subscribed', topics: ['positions'] },
  unsubscribed: { type: 'unsubscribed', topics: ['positions'] },
  snapshot: {
    type: 'snapshot',
    topic: 'positions',
    at: 5,
    devices: [
      {
        deviceId: 'dev-1',
        position: { ...position, status: 'moving' },
        status: 'moving',
        connection: 'online',
        lastSeenAt: 4,
      },
      { deviceId: 'dev-2', position: null, status: 'offline', connection: 'unknown', lastSeenAt: null },
    ],
  },
  positions: { type: 'positions', at: 6, positions: [{ ...position, status: 'moving' }] },
  status: { type: 'status', deviceId: 'dev-1', connection: 'offline', at: 7, reason: null },
  event: {
    type: 'event',
    event: {
      deviceId: 'dev-1',
      ts: 8,
      kind: 'HARSH_BRAKE',
      lat: null,
      lon: null,
      speedKmh: null,
      detail: '',
    },
  },
  alert: {
    type: 'alert',
    change: 'opened',
    alert: {
      id: 'a1',
      orgId: 'o',
      ruleId: 'r1',
      ruleName: 'Speeding',
      kind: 'overspeed',
      severity: 'warning',
      state: 'open',
      active: true,
      title: 'Speeding: 112 km/h where 90 applies',
      deviceId: 'dev-1',
      assetId: 'as1',
      placeId: null,
      startedAt: '2026-12-02T10:00:00.000Z',
      endedAt: null,
      raisedAt: '2026-12-02T10:00:31.000Z',
      late: false,
      lat: 60.17,
      lon: 24.94,
      details: { peakKmh: 112, limitKmh: 90 },
      suppressedBy: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolvedBy: null,
      assigneeId: null,
      updatedAt: '2026-12-02T10:00:31.000Z',
    },
  },
  job: {
    type: 'job',
    change: {
      orgId: 'o',
      jobId: 'j1',
      reference: 'JOB-1',
      title: 'Shoot at Kaapelitehdas',
      from: 'dispatched',
      to: 'en_route',
      source: 'telemetry',
      assetId: 'as1',
      at: '2026-12-03T07:10:00.000Z',
    },
  },
  pong: { type: 'pong', at: 9 },
  error: { type: 'error', code: 'bad_message', message: 'nope' },
  viewport: {
    type: 'viewport',
    bbox: [24.9, 60.1, 25, 60.2],
    zoom: 13,
    at: 10,
    positions: [{ ...position, status: 'moving' }],
  },
  clusters: {
    type: 'clusters',
    at: 11,
    zoom: 13,
    cellDeg: 0.02,
    total: 3,
    cells: [{ lat: 60.3, lon: 25.1, count: 3 }],
  },
};

describe('parseFrame', () => {
  it.each(Object.values(FRAMES))('accepts a $type frame as sent', (frame) => {
    const parsed = parseFrame(JSON.stringify(frame));
    expect(parsed).toEqual({ ok: true, frame, dropped: 0 });
  });

  it.each([
    ['binary data', new ArrayBuffer(4)],
    ['not JSON', '{"type":'],
    ['JSON null', 'null'],
    ['an array', '[{"type":"pong","at":1}]'],
    ['no type', '{"at":1}'],
    ['a numeric type', '{"type":1}'],
    ['an unknown type', '{"type":"job","id":"x"}'],
    ['a prototype key as type', '{"type":"__proto__"}'],
    ['a missing field', '{"type":"pong"}'],
    ['a wrong field type', '{"type":"positions","at":"now","positions":[]}'],
    ['a non-finite number', '{"type":"pong","at":1e999}'],
    [
      'null where not allowed',
      '{"type":"status","deviceId":null,"connection":"online","at":1,"reason":null}',
    ],
    ['an object where an array belongs', '{"type":"subscribed","topics":{"0":"positions"}}'],
  ])('refuses %s', (_, data) => {
    const parsed = parseFrame(data);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).not.toBe('');
  });

  it('drops malformed positions and keeps the rest of the frame', () => {
    const frame = {
      type: 'positions',
      at: 1,
      positions: [
        position,
        { ...position, lat: 'north' },
        { ...position, deviceId: 7 },
        null,
        { deviceId: 'x' },
        position,
      ],
    };
    const parsed = parseFrame(JSON.stringify(frame));
    expect(parsed.ok).toBe(true);
    if (parsed.ok && parsed.frame.type === 'positions') {
      expect(parsed.frame.positions).toEqual([position, position]);
      expect(parsed.dropped).toBe(4);
    }
  });

  it('drops snapshot devices whose position is malformed', () => {
    const good = FRAMES.snapshot.devices[0];
    const bad = { ...good, deviceId: 'dev-3', position: { ...position, lon: null } };
    const parsed = parseFrame(JSON.stringify({ ...FRAMES.snapshot, devices: [good, bad] }));
    expect(parsed.ok && parsed.frame.type === 'snapshot' && parsed.frame.devices).toEqual([good]);
    expect(parsed.ok && parsed.dropped).toBe(1);
  });
});

describe('compact positions (format "columns")', () => {
  const many: LivePosition[] = [
    { ...position, status: 'moving' },
    {
      ...position,
      deviceId: 'dev-2',
      ts: position.ts - 1234,
      speedKmh: null,
      headingDeg: null,
      ignition: null,
      status: 'offline',
    },
    { ...position, deviceId: 'dev-3', ignition: false, status: 'idle', lat: -33.5, lon: -179.99 },
  ];

  it('decode to the same positions frame as JSON', () => {
    const at = position.ts + 50;
    const compact = parseFrame(JSON.stringify({ type: 'positions', at, cols: positionsToColumns(many, at) }));
    const json = parseFrame(JSON.stringify({ type: 'positions', at, positions: many }));
    expect(compact).toEqual(json);
    expect(compact).toEqual({ ok: true, frame: { type: 'positions', at, positions: many }, dropped: 0 });
  });

  it('refuses columns of different lengths and drops rows with bad values', () => {
    const cols = positionsToColumns(many, 0);
    expect(parseFrame(JSON.stringify({ type: 'positions', at: 0, cols: { ...cols, lat: [1] } })).ok).toBe(
      false,
    );
    expect(
      parseFrame(JSON.stringify({ type: 'positions', at: 0, cols: { ...cols, status: undefined } })).ok,
    ).toBe(false);
    const bad = { ...cols, status: [0, 9, 'moving'] };
    const parsed = parseFrame(JSON.stringify({ type: 'positions', at: 0, cols: bad }));
    expect(
      parsed.ok && parsed.frame.type === 'positions' && parsed.frame.positions.map((p) => p.deviceId),
    ).toEqual(['dev-1', 'dev-3']);
    expect(parsed.ok && parsed.dropped).toBe(1);
  });
});

describe('item checks', () => {
  it('knows a position and a device', () => {
    expect(isLivePosition(position)).toBe(true);
    expect(isLivePosition({ ...position, speedKmh: null, headingDeg: null, ignition: null })).toBe(true);
    expect(isLivePosition({ ...position, ignition: 'yes' })).toBe(false);
    expect(isLivePosition([])).toBe(false);
    expect(isLiveDevice(FRAMES.snapshot.devices[1])).toBe(true);
    expect(isLiveDevice({ ...FRAMES.snapshot.devices[1], lastSeenAt: 'today' })).toBe(false);
  });
});

describe('clientMessage', () => {
  it('writes the JSON the hub reads', () => {
    expect(JSON.parse(clientMessage({ op: 'subscribe', topics: ['positions', 'device:van-7'] }))).toEqual({
      op: 'subscribe',
      topics: ['positions', 'device:van-7'],
    });
    expect(JSON.parse(clientMessage({ op: 'auth', token: 't' }))).toEqual({ op: 'auth', token: 't' });
  });
});
