// The ILP encoder: exact lines for known rows, escaping, and a round trip of hostile strings
// through the run's real QuestDB.
import { randomUUID } from 'node:crypto';
import type { TelemetryRecord } from '@fleet/shared';
import { NO_MEASUREMENTS } from '@fleet/shared';
import { QuestDbHttp, sqlString } from '@fleet/shared/questdb';
import { describe, expect, inject, it } from 'vitest';
import { waitForRows } from '../../test/support.ts';
import { RowsRefusedError } from '../src/group-commit.ts';
import { escapeSymbol, eventLine, quoteString, rejectLine, telemetryLine } from '../src/ilp.ts';
import { QuestDbTransport } from '../src/questdb-transport.ts';
import { ensureSchema } from '../src/schema.ts';

function telemetry(extra: Partial<TelemetryRecord> = {}): TelemetryRecord {
  return {
    ...NO_MEASUREMENTS,
    tenant: 't1',
    deviceId: 'd1',
    seq: 7,
    ts: 1_800_000_000_123,
    receivedAt: 1_800_000_000_456,
    lat: 60.5,
    lon: 24.25,
    speedKmh: 12.5,
    satellites: 9,
    ignition: true,
    dtcCodes: ['P0301', 'P0420'],
    doorOpen: false,
    ...extra,
  };
}

describe('line encoding', () => {
  it('writes a telemetry row with only the fields present, in microseconds', () => {
    expect(telemetryLine(telemetry())).toBe(
      'telemetry,tenant=t1,device_id=d1 seq=7i,lat=60.5,lon=24.25,speed_kmh=12.5,satellites=9i,ignition=t,' +
        'dtc_codes="P0301,P0420",door_open=f,received_at=1800000000456000t 1800000000123000\n',
    );
  });

  it('leaves out non-finite numbers instead of writing them', () => {
    const line = telemetryLine(telemetry({ speedKmh: Number.NaN, lat: Number.POSITIVE_INFINITY }));
    expect(line).not.toContain('speed_kmh');
    expect(line).not.toContain('lat=');
  });

  it('escapes symbols and quotes strings', () => {
    expect(escapeSymbol('plain-id')).toBe('plain-id');
    expect(escapeSymbol('a b,c=d\\e\nf')).toBe('a\\ b\\,c\\=d\\\\e\\\nf');
    expect(quoteString('say "hi"\\\n')).toBe('"say \\"hi\\"\\\\\\\n"');
  });

  it('writes events and rejects', () => {
    const event = eventLine({
      tenant: 't',
      deviceId: 'd',
      seq: 3,
      ts: 1000,
      receivedAt: 2000,
      kind: 'CRASH',
      lat: undefined,
      lon: undefined,
      speedKmh: 80,
      peakG: Number.NaN,
      buttonId: undefined,
      firmware: undefined,
      detail: '',
    });
    expect(event).toBe(
      'device_events,tenant=t,device_id=d,kind=CRASH seq=3i,speed_kmh=80,detail="",received_at=2000000t 1000000\n',
    );
    const reject = rejectLine({
      tenant: 't',
      deviceId: 'd',
      topic: 'telemetry',
      reason: 'ts_in_future',
      detail: 'x',
      seq: 5,
      deviceTs: 9e15, // beyond a TIMESTAMP column: kept in detail only
      receivedAt: 3000,
      payloadSample: new Uint8Array([1, 2, 3]),
      payloadBytes: 3,
      rejectedRecords: 1,
      reasons: 'ts_in_future:1',
      unstoredBefore: 0,
    });
    expect(reject).toBe(
      'telemetry_rejects,tenant=t,device_id=d,topic=telemetry,reason=ts_in_future detail="x",seq=5i,payload_bytes=3i,rejected_records=1i,reasons="ts_in_future:1",unstored_before=0i,payload_b64="AQID" 3000000\n',
    );
  });
});

describe('round trip through QuestDB', () => {
  it('stores hostile strings exactly and reports a refused write clearly', async () => {
    const url = inject('questdbUrl');
    const questdb = new QuestDbHttp(url);
    const transport = new QuestDbTransport(url);
    const deviceId = `ilp ${randomUUID()},=x`;
    const detail = 'quote " backslash \\ newline \n comma , equals = unicode ✓';
    await transport.send([
      {
        table: 'events',
        event: {
          tenant: 'ilp-test',
          deviceId,
          seq: 1,
          ts: Date.now(),
          receivedAt: Date.now(),
          kind: 'BUTTON',
          lat: undefined,
          lon: undefined,
          speedKmh: undefined,
          peakG: undefined,
          buttonId: 2,
          firmware: 'fw "1"',
          detail,
        },
      },
    ]);
    const rows = await waitForRows<{
      device_id: string;
      detail: string;
      firmware: string;
      button_id: number;
    }>(
      questdb,
      `select device_id, detail, firmware, button_id from device_events where device_id = ${sqlString(deviceId)}`,
      1,
    );
    expect(rows[0]).toEqual({ device_id: deviceId, detail, firmware: 'fw "1"', button_id: 2 });
    const bad = new QuestDbTransport(url.replace(/:\d+$/, ':1'));
    await expect(bad.send([{ table: 'telemetry', record: telemetry() }])).rejects.toThrow(
      /QuestDB write failed/,
    );
  });
});

describe('rows QuestDB refuses', () => {
  it('are refused for good (RowsRefusedError), where an unreachable QuestDB is worth a retry', async () => {
    const url = inject('questdbUrl');
    await ensureSchema(new QuestDbHttp(url), 30);
    const transport = new QuestDbTransport(url);
    const event = {
      tenant: 'ilp-test',
      deviceId: `refused-${randomUUID()}`,
      seq: 1,
      ts: Date.now(),
      receivedAt: Date.now(),
      kind: 'BUTTON',
      lat: undefined,
      lon: undefined,
      speedKmh: undefined,
      peakG: undefined,
      // The INT column cannot hold a uint32 above 2^31-1 (validation refuses it before; this is
      // the store's own answer, should anything slip through).
      buttonId: 4294967295,
      firmware: undefined,
      detail: '',
    };
    const err = await transport.send([{ table: 'events', event }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RowsRefusedError);
    const unreachable = await new QuestDbTransport(url.replace(/:\d+$/, ':1'))
      .send([{ table: 'events', event }])
      .catch((e: unknown) => e);
    expect(unreachable).not.toBeInstanceOf(RowsRefusedError);
  });
});
