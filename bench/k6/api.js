// k6: the REST journey of a dispatcher's console: the whole fleet, a page of devices, one
// device's latest state and its last hour of track. Run against a running platform:
//   vendor/k6/k6 run -e PASSWORD=... -e PROFILE=load bench/k6/api.js
import { check } from 'k6';
import http from 'k6/http';
import { BASE_URL, login, profile } from './profiles.js';

export const options = {
  ...profile(),
  thresholds: {
    // Targets of the API issue: the whole fleet in 50 ms, a device-day of track in 100 ms
    // (a one-hour track here, so it must be well under that).
    'http_req_duration{name:fleet_latest}': ['p(95)<50', 'p(99)<100'],
    'http_req_duration{name:track}': ['p(95)<100'],
    'http_req_duration{name:devices}': ['p(95)<50'],
    'http_req_duration{name:latest}': ['p(95)<25'],
    // Nothing may fail.
    http_req_failed: ['rate==0'],
    checks: ['rate==1'],
  },
};

export function setup() {
  const token = login(http);
  const page = http.get(`${BASE_URL}/api/v1/devices?limit=50`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const ids = page.json('items').map((d) => d.id);
  if (ids.length === 0)
    throw new Error('no devices: start the platform with its simulated fleet (npm start)');
  return { token, ids };
}

export default function (data) {
  const headers = { authorization: `Bearer ${data.token}` };
  const id = data.ids[Math.floor(Math.random() * data.ids.length)];
  const now = Date.now();
  const fleet = http.get(`${BASE_URL}/api/v1/fleet/latest`, { headers, tags: { name: 'fleet_latest' } });
  check(fleet, { 'fleet/latest 200': (r) => r.status === 200 });
  const page = http.get(`${BASE_URL}/api/v1/devices?limit=50`, { headers, tags: { name: 'devices' } });
  check(page, { 'devices 200': (r) => r.status === 200 });
  const latest = http.get(`${BASE_URL}/api/v1/devices/${id}/latest`, { headers, tags: { name: 'latest' } });
  check(latest, { 'latest 200': (r) => r.status === 200 });
  const track = http.get(`${BASE_URL}/api/v1/devices/${id}/track?from=${now - 3_600_000}&to=${now}`, {
    headers,
    tags: { name: 'track' },
  });
  check(track, { 'track 200': (r) => r.status === 200 });
}
