// A flood of CONNECTs with made-up client ids and wrong tokens, against the real broker hooks
// and the real DeviceAuthenticator over a registry stand-in that counts its look-ups: the real
// device always gets in, the registry is asked a bounded number of times, and the log says
// what happened in a bounded number of lines.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeBroker, startFakeBroker, tokenOf } from './fake-broker.ts';
import { RawMqtt } from './raw-mqtt.ts';

let fb: FakeBroker | undefined;
afterEach(async () => {
  await fb?.close();
  fb = undefined;
});

describe('a flood of bad CONNECTs', () => {
  it('keeps real devices in, look-ups and log lines bounded', { timeout: 60_000 }, async () => {
    // A connect budget that the flood would empty many times over if it were charged for it.
    fb = await startFakeBroker({ limits: { connectRate: 20, connectBurst: 20 } });
    const b = fb;
    const N = 2000;
    const attackers = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
    let sent = 0;
    const flood = async (localAddress: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const id = `x-${localAddress}-${i}`; // a new client id each time
        const raw = await RawMqtt.connect(b.port, { id, token: 'wrong' }, { localAddress });
        await raw.connack();
        raw.close();
        sent++;
      }
    };
    let done = false;
    const flooding = Promise.all(attackers.map((a) => flood(a, N / attackers.length))).finally(() => {
      done = true;
    });
    const real: (number | 'closed')[] = [];
    while (!done || real.length < 5) {
      const raw = await RawMqtt.connect(
        b.port,
        { id: 'dev-real', token: tokenOf('dev-real') },
        {
          localAddress: '127.0.0.9',
        },
      );
      real.push(await raw.connack());
      raw.close();
      await new Promise((r) => setTimeout(r, 100));
    }
    await flooding;
    expect(sent).toBe(N);
    expect(real.every((code) => code === 0)).toBe(true);

    // Each address: its failure burst (20) and refill (2/s) of look-ups, then none.
    const seconds = 60; // far more than the test takes
    expect(b.registry.lookups).toBeLessThan(attackers.length * (20 + 2 * seconds) + real.length);
    expect(b.registry.lookups).toBeLessThan(N / 4);

    const refusalLines = b.lines.filter((l) => l.msg.startsWith('refused'));
    console.log(
      `${N} bad CONNECTs: ${b.registry.lookups} look-ups, ${refusalLines.length} refusal log lines`,
    );
    // A few lines per reason (20 one by one, then one that says the rest are only counted).
    expect(refusalLines.length).toBeLessThanOrEqual(2 * 21);
    expect(await b.metric('fleet_mqtt_refusals_total')).toBe(N);
    expect(await b.faults()).toBe(0);
  });

  it('a made-up id tried again and again is looked up once per few seconds, not per try', async () => {
    fb = await startFakeBroker({ limits: { authFailRate: 1000, authFailBurst: 1000 } });
    for (let i = 0; i < 30; i++) {
      const raw = await RawMqtt.connect(fb.port, { id: 'ghost-device', token: 'fdt_x' });
      expect(await raw.connack()).toBe(4);
      raw.close();
    }
    expect(fb.registry.lookups).toBe(1);
  });

  it('client ids that cannot be device ids are refused without a look-up', async () => {
    fb = await startFakeBroker({ limits: { authFailRate: 1000, authFailBurst: 1000 } });
    for (const id of ['a', 'x'.repeat(65), 'dev-\u0000nul', 'dev-\u001bescape']) {
      const raw = await RawMqtt.connect(fb.port, { id, token: 'fdt_x' });
      expect(await raw.connack()).toBe(4);
      raw.close();
    }
    expect(fb.registry.lookups).toBe(0);
  });
});
