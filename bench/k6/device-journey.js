// k6: the device journey shared by devices-storm.js, devices-steady.js and devices-burst.js.
// Each virtual user is one fleet device (credentials from DEVICES_FILE, the simulator's
// credentials file { "devices": [{ "id", "token" }] }): it connects over MQTT 3.1.1 with its id
// and token, then every iteration publishes one fleet.v1.TelemetryBatch with QoS 1 and waits for
// the PUBACK ("stored"). The scripts differ only in their options: how many devices start how
// fast, and the journey's settings in each scenario's `env`:
//   BATCH        records per message (1)
//   MESSAGES     messages per iteration (1); a burst replays its whole backlog in one iteration
//   INTERVAL_S   seconds between a device's messages; 0 = as fast as PUBACKs allow (1)
//   INFLIGHT     unacknowledged messages per device; above 1 the journey pipelines with
//                publishAsync and pre-encodes the batch (fleetmqtt.encode) and the iteration
//                ends once every PUBACK arrived; at 1 it waits for each PUBACK and lets the
//                extension encode the records (1)
//   BACKLOG_S    replay mode: the device's clock starts this far in the past and advances 1 s
//                per record (records buffered during an outage); 0 = live records (0)
//   CONNECT_TRIES  connect attempts per iteration before it gives up until the next (1)
//   SPREAD_S     each device waits a random 0..SPREAD_S s before its first connect (0)
//   WARMUP_S     samples before this many seconds into the scenario are tagged phase=warmup,
//                the rest phase=measure (0)
// Needs the k6 built by npm run k6:build (k6/x/fleetmqtt). Run with npm run bench:k6, or by hand
// against a running platform:
//   vendor/k6/k6 run -e DEVICES_FILE=data/sim/credentials.json -e DEVICES=14 bench/k6/devices-steady.js
import { check, sleep } from 'k6';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import fleetmqtt from 'k6/x/fleetmqtt';

export const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const MQTT_HOST = __ENV.MQTT_HOST || '127.0.0.1';
const MQTT_PORT = Number(__ENV.MQTT_PORT || 1883);

/** The devices, parsed once and shared by every VU (10,000 copies would not fit). */
const credentials = new SharedArray('devices', () => {
  const path = __ENV.DEVICES_FILE;
  if (!path) throw new Error('set -e DEVICES_FILE=<credentials.json> (see bench/README.md)');
  const file = JSON.parse(open(path));
  if (!file || !Array.isArray(file.devices) || file.devices.length === 0)
    throw new Error(`${path}: expected { "devices": [{ "id", "token" }, ...] }`);
  return file.devices.map((d) => ({ id: String(d.id), token: String(d.token) }));
});

/** How many devices (VUs) a script runs: -e DEVICES, at most the devices in the file. */
export function deviceCount() {
  const n = Number(__ENV.DEVICES || credentials.length);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`DEVICES must be a whole number from 1, got ${__ENV.DEVICES}`);
  if (n > credentials.length)
    throw new Error(`DEVICES=${n} but ${__ENV.DEVICES_FILE} holds only ${credentials.length} devices`);
  return n;
}

/** A whole number from the environment (the scenario's env or -e), or the default. */
export function envInt(name, def) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number from 0, got ${raw}`);
  return n;
}

// Seconds from the scenario's start to each device's first CONNACK: the max is how long the
// whole fleet took to connect.
const connectedAt = new Trend('fleet_connected_at_s');
const devicesConnected = new Counter('fleet_devices_connected');
const reconnects = new Counter('fleet_reconnects');

/** setup(): the platform answers /ready and the first device can connect and publish. */
export function setup() {
  const ready = http.get(`${BASE_URL}/ready`);
  if (ready.status !== 200)
    throw new Error(`${BASE_URL}/ready answered ${ready.status}: start the platform first`);
  const c = credentials[0];
  const probe = fleetmqtt.device({
    host: MQTT_HOST,
    port: MQTT_PORT,
    deviceId: c.id,
    token: c.token, // the client id must be the device id (the broker refuses others with CONNACK 2)
  });
  if (!probe.connect()) throw new Error(`MQTT ${MQTT_HOST}:${MQTT_PORT} refused ${c.id}: ${probe.lastError}`);
  probe.close();
  return { startedAt: Date.now() };
}

// Per VU (= per device) state, kept across iterations.
let dev;
let everConnected = false;
let seq = 0;
let clock = 0; // the device's clock for the next record, ms
let lat = 0;
let lon = 0;
let heading = 0;

let cached;
/** The journey's settings (the scenario's env reaches a VU's __ENV only once it runs in it). */
function settings() {
  cached ??= {
    batch: Math.max(1, envInt('BATCH', 1)),
    intervalS: envInt('INTERVAL_S', 1),
    inflight: Math.max(1, envInt('INFLIGHT', 1)),
    backlogS: envInt('BACKLOG_S', 0),
    spreadS: envInt('SPREAD_S', 0),
    warmupS: envInt('WARMUP_S', 0),
    messages: Math.max(1, envInt('MESSAGES', 1)),
    connectTries: Math.max(1, envInt('CONNECT_TRIES', 1)),
  };
  return cached;
}

function connect(s) {
  const c = credentials[(exec.vu.idInTest - 1) % credentials.length];
  if (!dev) {
    dev = fleetmqtt.device({
      host: MQTT_HOST,
      port: MQTT_PORT,
      deviceId: c.id,
      token: c.token,
      keepAliveS: 60,
      maxInflight: s.inflight,
    });
    if (s.spreadS > 0) sleep(Math.random() * s.spreadS);
    // Somewhere in central Helsinki, seeded by the VU so every run drives the same way.
    lat = 60.16 + ((exec.vu.idInTest * 7919) % 1000) / 50_000;
    lon = 24.92 + ((exec.vu.idInTest * 104_729) % 1000) / 25_000;
    heading = (exec.vu.idInTest * 37) % 360;
    seq = Math.floor(Date.now() / 1000) * 10; // above any earlier run's, per device
    clock = Date.now() - s.backlogS * 1000;
  }
  if (dev.connected) return true;
  if (everConnected) reconnects.add(1);
  if (!dev.connect()) {
    sleep(0.5 + Math.random()); // a refused device backs off before it tries again
    return false;
  }
  if (!everConnected) {
    everConnected = true;
    devicesConnected.add(1);
    connectedAt.add((Date.now() - exec.scenario.startTime) / 1000);
  }
  return true;
}

function nextRecords(s) {
  const records = [];
  for (let i = 0; i < s.batch; i++) {
    heading = (heading + (Math.random() - 0.5) * 20 + 360) % 360;
    const speed = 30 + Math.random() * 30;
    const step = (speed / 3.6 / 111_320) * (s.backlogS > 0 ? 1 : s.intervalS || 1);
    lat = Math.min(60.3, Math.max(60.1, lat + step * Math.cos((heading * Math.PI) / 180)));
    lon = Math.min(25.2, Math.max(24.7, lon + step * 2 * Math.sin((heading * Math.PI) / 180)));
    seq += 1;
    // Live: the time now (never twice the same ms per device); replay: 1 s per buffered record.
    clock = s.backlogS > 0 ? clock + 1000 : Math.max(Date.now() - (s.batch - 1 - i), clock + 1);
    records.push({
      seq,
      tsMs: clock,
      lat,
      lon,
      speedKmh: speed,
      headingDeg: heading,
      satellites: 9,
      hdop: 0.8,
      ignition: true,
      fuelLevelPct: 55,
      externalV: 27.4,
    });
  }
  return records;
}

/** The journey: connect when not connected, publish one batch, keep the cadence. */
export default function journey() {
  const s = settings();
  exec.vu.metrics.tags.phase = Date.now() - exec.scenario.startTime < s.warmupS * 1000 ? 'warmup' : 'measure';
  for (let tries = 1; !connect(s); tries++) if (tries >= s.connectTries) return;
  const started = Date.now();
  for (let m = 0; m < s.messages; m++) {
    const records = nextRecords(s);
    if (s.inflight > 1) {
      if (!check(dev.publishAsync(fleetmqtt.encode(records)), { 'batch sent': (ok) => ok === true })) break;
    } else if (!check(dev.publish(records), { 'PUBACK received': (ms) => ms >= 0 })) break;
  }
  if (s.inflight > 1) check(dev.flush(60_000), { 'every batch acknowledged': (left) => left === 0 });
  if (s.intervalS > 0) sleep(Math.max(0, s.intervalS - (Date.now() - started) / 1000));
}

/** k6 calls teardown once; the VUs close their sessions when the process ends. */
export function teardown(data) {
  console.log(`devices journey ran ${((Date.now() - data.startedAt) / 1000).toFixed(0)} s`);
}
