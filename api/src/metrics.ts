// The API's and the hub's own Prometheus metrics, registered next to the broker's and the
// ingest tier's in the one registry that GET /metrics serves.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { HttpMetrics } from './http/server.ts';

export interface HubMetrics {
  clients: Gauge;
  framesSent: Counter<'type'>;
  framesDropped: Counter<'reason'>;
  closed: Counter<'reason'>;
  badMessages: Counter<'reason'>;
}

export function createApiMetrics(registry: Registry): {
  http: HttpMetrics;
  hub: HubMetrics;
  /** Driver card readings that reached the assignment rule, by outcome (domains/drivers). */
  driverCards: Counter<'outcome'>;
} {
  const duration = new Histogram({
    name: 'fleet_http_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    http: {
      observe(route, method, status, seconds) {
        duration.observe({ route, method: method.toUpperCase(), status: String(status) }, seconds);
      },
    },
    hub: {
      clients: new Gauge({
        name: 'fleet_ws_clients',
        help: 'WebSocket clients connected',
        registers: [registry],
      }),
      framesSent: new Counter({
        name: 'fleet_ws_frames_sent_total',
        help: 'WebSocket frames sent, by frame type',
        labelNames: ['type'],
        registers: [registry],
      }),
      framesDropped: new Counter({
        name: 'fleet_ws_frames_dropped_total',
        help: 'Position frames not sent to a slow client (coalesced into its next frame)',
        labelNames: ['reason'],
        registers: [registry],
      }),
      closed: new Counter({
        name: 'fleet_ws_closed_total',
        help: 'WebSockets closed by the server, by reason',
        labelNames: ['reason'],
        registers: [registry],
      }),
      badMessages: new Counter({
        name: 'fleet_ws_bad_messages_total',
        help: 'Client messages refused, by reason',
        labelNames: ['reason'],
        registers: [registry],
      }),
    },
    driverCards: new Counter({
      name: 'fleet_driver_card_readings_total',
      help: 'Driver card changes a tracker reported, by outcome: assign, end, or why nothing changed',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
