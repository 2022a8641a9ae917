// The broker's Prometheus metrics, registered on the registry the process exposes.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface BrokerMetrics {
  refusals: Counter<'reason'>;
  connectedDevices: Gauge;
  connections: Counter;
  pubackSeconds: Histogram;
  /** Credential look-ups in the registry (a query each; the cache answers the rest). */
  authLookups: Counter;
  credentialDevices: Gauge;
}

/** `heldCredentials`: how many devices the credential directory holds, read at each scrape. */
export function createBrokerMetrics(
  registry: Registry,
  heldCredentials: () => number = () => 0,
): BrokerMetrics {
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
    authLookups: new Counter({
      name: 'fleet_mqtt_auth_lookups_total',
      help: 'Device credential look-ups in the registry (one database query each); CONNECTs the credential cache answers are not counted',
      registers,
    }),
    credentialDevices: new Gauge({
      name: 'fleet_mqtt_credential_directory_devices',
      help: 'Devices whose credentials the broker holds in memory (DEVICE_AUTH_PRELOAD_MAX)',
      registers,
      collect() {
        this.set(heldCredentials());
      },
    }),
  };
}
