// k6: steady fleet. Every device (one per VU) connects (spread over SPREAD_S s, default one
// second per 200 devices), then reports one record once a second; WARMUP_S (default spread +
// 10 s) is left out of the measured PUBACKs (phase=measure). The journey is device-journey.js.
//   vendor/k6/k6 run -e DEVICES_FILE=... -e DEVICES=2000 -e DURATION_S=60 bench/k6/devices-steady.js
import { deviceCount, envInt } from './device-journey.js';

export { default, setup, teardown } from './device-journey.js';

const DEVICES = deviceCount();
const SPREAD_S = envInt('SPREAD_S', Math.ceil(DEVICES / 200));
const WARMUP_S = envInt('WARMUP_S', SPREAD_S + 10);
const DURATION_S = envInt('DURATION_S', 60);

export const options = {
  scenarios: {
    steady: {
      executor: 'constant-vus',
      vus: DEVICES,
      duration: `${WARMUP_S + DURATION_S}s`,
      gracefulStop: '5s',
      env: { SPREAD_S: String(SPREAD_S), INTERVAL_S: '1', WARMUP_S: String(WARMUP_S) },
    },
  },
  thresholds: {
    // Issue 15: the fleet reports once a second with PUBACK p99 <= 200 ms.
    'mqtt_puback_ms{phase:measure}': ['p(99)<=200'],
    fleet_devices_connected: [`count>=${DEVICES}`],
    // A publish that got no PUBACK is a record the platform did not promise to keep.
    mqtt_publish_errors: ['count==0'],
  },
};
