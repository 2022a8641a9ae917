// k6: burst replay after an outage. Every device (one per VU) comes back with BACKLOG records
// buffered (default 500: 8 minutes at 1 Hz, stamped with their device times) and replays them
// in batches of BATCH (default 50, issue 15) as fast as PUBACKs allow: INFLIGHT (default 4)
// batches unacknowledged at a time, pre-encoded with fleetmqtt.encode and sent with
// publishAsync. The journey is device-journey.js.
//   vendor/k6/k6 run -e DEVICES_FILE=... -e DEVICES=2000 -e BACKLOG=500 bench/k6/devices-burst.js
import { deviceCount, envInt } from './device-journey.js';

export { default, setup, teardown } from './device-journey.js';

const DEVICES = deviceCount();
const BATCH = Math.max(1, envInt('BATCH', 50));
const BACKLOG = Math.max(BATCH, envInt('BACKLOG', 500));
const MESSAGES = Math.ceil(BACKLOG / BATCH);
const INFLIGHT = Math.max(1, envInt('INFLIGHT', 4));
const SPREAD_S = envInt('SPREAD_S', Math.ceil(DEVICES / 500));

export const options = {
  scenarios: {
    burst: {
      executor: 'per-vu-iterations',
      vus: DEVICES,
      iterations: 1, // the whole replay is one iteration: it ends when every PUBACK arrived
      maxDuration: `${envInt('MAX_DURATION_S', 600)}s`,
      gracefulStop: '30s',
      env: {
        BATCH: String(BATCH),
        INTERVAL_S: '0',
        INFLIGHT: String(INFLIGHT),
        BACKLOG_S: String(MESSAGES * BATCH),
        SPREAD_S: String(SPREAD_S),
        MESSAGES: String(MESSAGES),
        // Its only iteration: a device refused or timed out while the others replay tries again.
        CONNECT_TRIES: '20',
      },
    },
  },
  thresholds: {
    // Every buffered record is acknowledged, i.e. stored (PUBACK = "stored"), none refused.
    mqtt_records_acked: [`count>=${DEVICES * MESSAGES * BATCH}`],
    mqtt_publish_errors: ['count==0'],
    fleet_devices_connected: [`count>=${DEVICES}`],
  },
};
