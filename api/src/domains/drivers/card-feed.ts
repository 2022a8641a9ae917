// Driver cards from the fleet's telemetry to the assignment rule (auto-assign.ts). The feed is
// the bus's `latest` topic: the newest stored record of each device per message, which every
// API process receives once (the launcher relays the device side's bus to its one API child;
// the single-process platform runs one API). A tracker repeats the card in each record while it
// is in the reader; the sink acts only when a device's card changes.
import type { EventBus, TelemetryRecord } from '@fleet/shared';
import type { Counter } from 'prom-client';
import type { DriverCardDecision, DriverCardReading, DriverCardSink } from './auto-assign.ts';

/** The reading a stored record carries; undefined when its device reported no card. */
export function driverCardReading(record: TelemetryRecord): DriverCardReading | undefined {
  if (record.driverCardId === undefined) return undefined;
  return {
    // The tenant and device id of a record come from the device's session, never its payload.
    orgId: record.tenant,
    deviceId: record.deviceId,
    cardId: record.driverCardId,
    at: new Date(record.ts),
  };
}

/**
 * Hands every card reading on the bus to the sink. The returned stop ends the subscription and
 * then waits for the readings already handed over, so the database is not closed under them.
 */
export function followDriverCards(bus: EventBus, sink: DriverCardSink): () => Promise<void> {
  const unsubscribe = bus.subscribe('latest', (record) => {
    const reading = driverCardReading(record);
    if (reading !== undefined) sink(reading);
  });
  return async () => {
    unsubscribe();
    await sink.idle();
  };
}

/** Counts each reading that reached the rule by its outcome: assign, end, or why it was ignored. */
export function countDriverCardDecisions(counter: Counter<'outcome'>) {
  return (_reading: DriverCardReading, decision: DriverCardDecision): void => {
    counter.inc({ outcome: decision.action === 'ignore' ? decision.reason : decision.action });
  };
}
