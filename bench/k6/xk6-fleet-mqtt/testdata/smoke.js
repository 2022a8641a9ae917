// A k6 smoke script for the extension itself (not a bench): bad arguments throw clear JS errors,
// and one device connects to MQTT_PORT, publishes both kinds of payload and sees PUBACKs.
//   vendor/k6/k6 run -e MQTT_PORT=1883 -e DEVICE_ID=... -e TOKEN=... bench/k6/xk6-fleet-mqtt/testdata/smoke.js
import { check } from 'k6';
import fleetmqtt from 'k6/x/fleetmqtt';

export const options = {
  iterations: 1,
  thresholds: { checks: ['rate==1'], mqtt_pubacks: ['count==3'], mqtt_records_acked: ['count==4'] },
};

const port = Number(__ENV.MQTT_PORT || 1883);
const rec = (over) => Object.assign({ seq: 1, tsMs: Date.now(), lat: 60.17, lon: 24.94 }, over);

function thrown(fn) {
  try {
    fn();
    return 'nothing';
  } catch (e) {
    return `${e.name}: ${e.message}`;
  }
}

export default function () {
  const errors = {
    'NaN lat': thrown(() => fleetmqtt.encode([rec({ lat: Number.NaN })])),
    'lat 91': thrown(() => fleetmqtt.encode([rec({ lat: 91 })])),
    'seq string': thrown(() => fleetmqtt.encode([rec({ seq: '1' })])),
    'not an array': thrown(() => fleetmqtt.encode({ seq: 1 })),
    'oversized batch': thrown(() =>
      fleetmqtt.encode(Array.from({ length: 10_001 }, (_, i) => rec({ seq: i + 1 }))),
    ),
    'no token': thrown(() => fleetmqtt.device({ deviceId: 'd' })),
    'port NaN': thrown(() => fleetmqtt.device({ deviceId: 'd', token: 't', port: Number.NaN })),
    'payload number': thrown(() => fleetmqtt.device({ deviceId: 'd', token: 't' }).publish(42)),
  };
  for (const [k, v] of Object.entries(errors)) console.log(`${k}: ${v}`);
  check(errors, {
    'NaN is a RangeError': (e) =>
      e['NaN lat'].startsWith('RangeError: records[0].lat must be a finite number'),
    'lat out of range is a RangeError': (e) =>
      e['lat 91'].startsWith('RangeError: records[0].lat must be from -90 to 90'),
    'a string seq is a TypeError': (e) =>
      e['seq string'].startsWith('TypeError: records[0].seq must be a number'),
    'an object is a TypeError': (e) => e['not an array'].startsWith('TypeError: records must be an array'),
    'an oversized batch is a RangeError': (e) =>
      e['oversized batch'].includes('more than the limit of 10000'),
    'a missing token is a TypeError': (e) => e['no token'].startsWith('TypeError: token is required'),
    'a NaN port is a RangeError': (e) => e['port NaN'].startsWith('RangeError: port must be a finite number'),
    'a number payload is a TypeError': (e) =>
      e['payload number'].startsWith('TypeError: payload must be an ArrayBuffer'),
  });

  const dev = fleetmqtt.device({
    port,
    deviceId: __ENV.DEVICE_ID || 'smoke-device',
    token: __ENV.TOKEN || 'smoke-token',
    maxInflight: 2,
  });
  check(dev.connect(), { connected: (ok) => ok === true }) || console.error(dev.lastError);
  const bytes = fleetmqtt.encode([rec({ seq: 2 }), rec({ seq: 3, tsMs: Date.now() + 1 })]);
  check(dev.publish(bytes), { 'pre-encoded PUBACK': (ms) => ms >= 0 });
  check(dev.publish([rec({ seq: 4, tsMs: Date.now() + 2, ignition: true, dtcCodes: ['P0301'] })]), {
    'encoded here PUBACK': (ms) => ms >= 0,
  });
  check(dev.publishAsync(new Uint8Array(bytes.slice(0, bytes.byteLength / 2))), { 'async sent': (ok) => ok });
  check(dev.flush(5000), { flushed: (n) => n === 0 });
  const big = new Uint8Array(300 * 1024);
  check(
    thrown(() => dev.publish(big)),
    { 'an oversized payload is a RangeError': (e) => e.startsWith('RangeError') },
  );
  dev.close();
  check(dev.publish(bytes), { 'publish after close fails': (ms) => ms === -1 });
  check(dev.lastError, { 'lastError says why': (e) => e.includes('not connected') });
}
