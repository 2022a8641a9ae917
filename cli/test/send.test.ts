import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceFilter, startTestPlatform, type TestPlatform, waitForRows } from '../../test/support.ts';
import { sampleRecords, sendSample } from '../src/send.ts';

describe('fleet send', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(async () => {
    await p?.close();
  });

  it('publishes sample records that land in QuestDB, and reports the PUBACK', async () => {
    const device = await p.provision();
    const lines: string[] = [];
    await sendSample(
      { url: `mqtt://127.0.0.1:${p.service.mqttPort}`, device: device.id, token: device.token, count: 3 },
      (l) => lines.push(l),
    );
    expect(lines[0]).toMatch(/^Sent 3 record\(s\); PUBACK \(stored in QuestDB\) after \d+\.\d ms$/);
    const rows = await waitForRows(
      p.questdb,
      `select seq from telemetry where ${deviceFilter(device.id)}`,
      3,
    );
    expect(rows).toHaveLength(3);
  });

  it('explains a refused connection and a bad count', async () => {
    const url = `mqtt://127.0.0.1:${p.service.mqttPort}`;
    await expect(sendSample({ url, device: 'nobody', token: 'x', count: 1 }, () => {})).rejects.toThrow(
      /could not connect/,
    );
    await expect(sendSample({ url, device: 'd', token: 'x', count: 0 }, () => {})).rejects.toThrow(/--count/);
  });

  it('makes valid, time-ordered sample records', () => {
    const records = sampleRecords(4, 1_800_000_000_000);
    expect(records.map((r) => r.tsMs)).toEqual([
      1_800_000_000_000 - 3000,
      1_800_000_000_000 - 2000,
      1_800_000_000_000 - 1000,
      1_800_000_000_000,
    ]);
    expect(new Set(records.map((r) => r.seq)).size).toBe(4);
  });
});
