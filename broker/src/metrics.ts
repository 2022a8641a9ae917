// The broker's Prometheus metrics, registered on the registry the process exposes.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface BrokerMetrics {
  refusals: Counter<'reason'>;
  connectedDevices: Gauge;
  connections: Counter;
  pubackSeconds: Histogram;
}

export function createBrokerMetrics(registry: Registry): BrokerMetrics {
  const registers = [registry];
  return {
    refusals: new Counter({
      name: 'fleet_mqtt_refusals_total',
      help: 'Connections, packets and subscriptions refused by the broker, by reason',
      labelNames: ['reason'],
      registers,
    }),
    connectedDevices: new Gauge({
      name: 'fleet_mqtt_connected_devices',
      help: 'Devices connected to this broker',
      registers,
    }),
    connections: new Counter({
      name: 'fleet_mqtt_connections_total',
      help: 'Successful device connections',
      registers,
    }),
    pubackSeconds: new Histogram({
      name: 'fleet_mqtt_puback_seconds',
      help: 'Time from a telemetry/event PUBLISH arriving to its PUBACK being released (includes the commit)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}
