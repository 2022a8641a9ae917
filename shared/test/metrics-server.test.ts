import { Counter, Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { serveMetrics } from '../src/metrics-server.ts';

it('serves the registry in Prometheus text format at /metrics and nothing else', async () => {
  const registry = new Registry();
  new Counter({ name: 'fleet_test_total', help: 'a test counter', registers: [registry] }).inc(3);
  const server = await serveMetrics(registry, '127.0.0.1', 0);
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain('fleet_test_total 3');
    expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status).toBe(404);
  } finally {
    await server.close();
  }
});
