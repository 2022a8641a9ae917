// Load profiles shared by the k6 scripts: one journey per script, the profile only changes
// how many virtual users run it and for how long. Pick one with -e PROFILE=smoke|load|spike|soak.
export const PROFILES = {
  smoke: { vus: 1, duration: '15s' },
  load: {
    stages: [
      { duration: '15s', target: 20 },
      { duration: '60s', target: 20 },
      { duration: '10s', target: 0 },
    ],
  },
  spike: {
    stages: [
      { duration: '5s', target: 5 },
      { duration: '5s', target: 100 },
      { duration: '30s', target: 100 },
      { duration: '10s', target: 0 },
    ],
  },
  soak: { vus: 10, duration: '30m' },
};

export function profile() {
  const name = __ENV.PROFILE || 'smoke';
  const chosen = PROFILES[name];
  if (!chosen) throw new Error(`PROFILE must be one of ${Object.keys(PROFILES).join(', ')}, not ${name}`);
  return chosen;
}

export const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';

/** Logs in once for the whole run (setup) and checks the platform is ready first. */
export function login(http) {
  const ready = http.get(`${BASE_URL}/ready`);
  if (ready.status !== 200)
    throw new Error(`${BASE_URL}/ready answered ${ready.status}: start the platform first`);
  const res = http.post(
    `${BASE_URL}/api/v1/auth/login`,
    JSON.stringify({ email: __ENV.EMAIL || 'admin@demo.local', password: __ENV.PASSWORD }),
    { headers: { 'content-type': 'application/json' } },
  );
  if (res.status !== 200)
    throw new Error(`login failed (${res.status}): set -e PASSWORD=... (the admin password)`);
  return res.json('token');
}
