// Automatic driver assignment from a card a tracker reads (RFID tag or iButton): when a device
// installed on a vehicle reports a card that belongs to a driver, that driver takes the vehicle
// at the reading's time, ending the vehicle's and the driver's current assignments, with source
// 'driver_card'; the same card again changes nothing. A card taken out ends the vehicle's
// assignment only if a card made it (a dispatcher's manual assignment stays).
//
// The card comes as Telemetry.driver_card_id (field 25). `decideDriverCard` is the rule, with
// plain inputs and outputs; `applyDriverCardReading` reads the situation from the database,
// decides and applies it in one transaction; `createDriverCardSink` is what the API side calls
// (card-feed.ts, from the bus's `latest` topic) once per stored record that carries a card: fire
// and forget, guarded, in order per device, acting only when a device's card changes.
import { type FaultReporter, guardAsync } from '@fleet/shared';
import { inTenant, type SqlDatabase, withAuditActor } from '@fleet/shared/db';
import type { AssignmentSource } from './schemas.ts';
import { normaliseCardId } from './schemas.ts';

/** One card reading of one device, as the ingest side knows it after decoding. */
export interface DriverCardReading {
  /** From the device's authenticated session, never from the payload. */
  orgId: string;
  deviceId: string;
  /** The card in the reader; null when the device reports that the card was taken out. */
  cardId: string | null;
  /** Device time of the reading. */
  at: Date;
}

/** What the database says at the reading's time. */
export interface DriverCardSituation {
  /** The asset the device is installed on at that time. */
  installedOn: { assetId: string; kind: string } | undefined;
  /** Whose card it is (undefined for a card out, or a card nobody has). */
  driver: { id: string; status: string; erased: boolean } | undefined;
  /** The vehicle's assignment at that time. */
  vehicleCurrent: { id: string; driverId: string; startsAt: Date; source: AssignmentSource } | undefined;
  /** The driver's assignment at that time, on any vehicle. */
  driverCurrent: { id: string; assetId: string; startsAt: Date } | undefined;
  /** Whether the vehicle or the driver has an assignment starting after the reading. */
  laterAssignment: boolean;
}

export type IgnoredBecause =
  | 'bad_card'
  | 'not_installed'
  | 'not_a_vehicle'
  | 'unknown_card'
  | 'driver_unavailable'
  | 'already_assigned'
  | 'no_card_assignment'
  | 'out_of_order';

export type DriverCardDecision =
  | { action: 'ignore'; reason: IgnoredBecause }
  | { action: 'end'; assignmentId: string; at: Date }
  | { action: 'assign'; driverId: string; vehicleId: string; at: Date; end: string[] };

/**
 * The rule. A reading older than the current assignment's start, or before a later one, is a
 * replay of buffered records and does not rewrite history ('out_of_order').
 */
export function decideDriverCard(reading: DriverCardReading, s: DriverCardSituation): DriverCardDecision {
  const ignore = (reason: IgnoredBecause): DriverCardDecision => ({ action: 'ignore', reason });
  if (s.installedOn === undefined) return ignore('not_installed');
  if (s.installedOn.kind !== 'vehicle') return ignore('not_a_vehicle');
  const at = reading.at;
  const current = s.vehicleCurrent;
  if (reading.cardId === null) {
    if (current === undefined || current.source !== 'driver_card') return ignore('no_card_assignment');
    if (current.startsAt.getTime() >= at.getTime()) return ignore('out_of_order');
    return { action: 'end', assignmentId: current.id, at };
  }
  if (s.driver === undefined) return ignore('unknown_card');
  if (s.driver.erased || s.driver.status !== 'active') return ignore('driver_unavailable');
  if (current?.driverId === s.driver.id) return ignore('already_assigned');
  const ending = [current, s.driverCurrent].filter((a) => a !== undefined);
  if (s.laterAssignment || ending.some((a) => a.startsAt.getTime() >= at.getTime()))
    return ignore('out_of_order');
  return {
    action: 'assign',
    driverId: s.driver.id,
    vehicleId: s.installedOn.assetId,
    at,
    end: [...new Set(ending.map((a) => a.id))],
  };
}

/**
 * Reads the situation at the reading's time, decides and applies, in one transaction of the
 * device's organisation (the vehicle row is locked first, as the manual routes do). The audit
 * log names the device as the actor.
 */
export async function applyDriverCardReading(
  db: SqlDatabase,
  reading: DriverCardReading,
): Promise<DriverCardDecision> {
  const card = reading.cardId === null ? null : normaliseCardId(reading.cardId);
  if (card === undefined) return { action: 'ignore', reason: 'bad_card' };
  const at = reading.at;
  return withAuditActor({ kind: 'device', label: `device ${reading.deviceId}` }, () =>
    inTenant(db, reading.orgId, async (tx) => {
      const installed = await tx.query<{ asset_id: string; kind: string }>(
        `select i.asset_id::text as asset_id, a.kind from installations i
         join assets a on a.org_id = i.org_id and a.id = i.asset_id
         where i.device_id = $1 and i.installed_at <= $2 and (i.removed_at is null or i.removed_at > $2)
         for update of a`,
        [reading.deviceId, at],
      );
      const installedOn = installed[0] && { assetId: installed[0].asset_id, kind: installed[0].kind };
      const drivers =
        card === null
          ? []
          : await tx.query<{ id: string; status: string; erased: boolean }>(
              `select id::text as id, status, erased_at is not null as erased from drivers
               where driver_card_id = $1 for update`,
              [card],
            );
      const driver = drivers[0];
      const covering = (column: 'asset_id' | 'driver_id', id: string) =>
        tx.query<{
          id: string;
          driver_id: string;
          asset_id: string;
          starts_at: Date | string;
          source: AssignmentSource;
        }>(
          `select id::text as id, driver_id::text as driver_id, asset_id::text as asset_id, starts_at, source
           from driver_assignments where ${column} = $1 and starts_at <= $2 and (ends_at is null or ends_at > $2)`,
          [id, at],
        );
      const vehicleRow = installedOn ? (await covering('asset_id', installedOn.assetId))[0] : undefined;
      const driverRow = driver ? (await covering('driver_id', driver.id))[0] : undefined;
      const later = await tx.query<{ n: number | string }>(
        `select count(*) as n from driver_assignments
         where (asset_id = $1::uuid or driver_id = $2::uuid) and starts_at > $3`,
        [installedOn?.assetId ?? null, driver?.id ?? null, at],
      );
      const decision = decideDriverCard(reading, {
        installedOn,
        driver,
        vehicleCurrent: vehicleRow && {
          id: vehicleRow.id,
          driverId: vehicleRow.driver_id,
          startsAt: new Date(vehicleRow.starts_at),
          source: vehicleRow.source,
        },
        driverCurrent: driverRow && {
          id: driverRow.id,
          assetId: driverRow.asset_id,
          startsAt: new Date(driverRow.starts_at),
        },
        laterAssignment: Number(later[0]?.n ?? 0) > 0,
      });
      if (decision.action === 'end')
        await tx.query('update driver_assignments set ends_at = $2 where id = $1', [
          decision.assignmentId,
          at,
        ]);
      if (decision.action === 'assign') {
        for (const id of decision.end)
          await tx.query('update driver_assignments set ends_at = $2 where id = $1', [id, at]);
        await tx.query(
          `insert into driver_assignments (org_id, driver_id, asset_id, starts_at, source)
           values ($1, $2, $3, $4, 'driver_card')`,
          [reading.orgId, decision.driverId, decision.vehicleId, at],
        );
      }
      return decision;
    }),
  );
}

export interface DriverCardSinkOptions {
  db: SqlDatabase;
  faults: FaultReporter;
  /** Called with each decision that was applied or ignored (metrics, logs, tests). */
  onDecision?: (reading: DriverCardReading, decision: DriverCardDecision) => void;
  /** How many devices' last cards are remembered; past it the memory starts again. Default 100,000. */
  maxDevices?: number;
}

export interface DriverCardSink {
  /** Fire and forget: never throws, never rejects; a fault is reported on the bus boundary. */
  (reading: DriverCardReading): void;
  /** Resolves when every reading handed over so far has been handled. */
  idle(): Promise<void>;
}

/**
 * The entry point for the ingest side: call it with every decoded record that carries a card
 * field. Trackers repeat the card in every record; only a change of a device's card (or the
 * first reading after a start) reaches the database, one reading at a time per device, so the
 * assignments follow the order the device sent them.
 */
export function createDriverCardSink(options: DriverCardSinkOptions): DriverCardSink {
  const maxDevices = options.maxDevices ?? 100_000;
  const lastCard = new Map<string, string | null>();
  const queues = new Map<string, Promise<void>>();
  const handle = guardAsync(
    options.faults,
    'bus',
    'drivers.auto-assign',
    async (reading: DriverCardReading) => {
      const card = reading.cardId === null ? null : (normaliseCardId(reading.cardId) ?? reading.cardId);
      const key = `${reading.orgId}/${reading.deviceId}`;
      if (lastCard.has(key) && lastCard.get(key) === card) return;
      if (lastCard.size >= maxDevices) lastCard.clear();
      lastCard.set(key, card);
      const previous = queues.get(key) ?? Promise.resolve();
      const next = previous.then(async () => {
        try {
          const decision = await applyDriverCardReading(options.db, reading);
          options.onDecision?.(reading, decision);
        } catch (err) {
          // Forget the card, so the device's next reading tries again.
          lastCard.delete(key);
          throw err;
        }
      });
      const settled = next.catch(() => {});
      queues.set(key, settled);
      void settled.then(() => {
        if (queues.get(key) === settled) queues.delete(key);
      });
      await next;
    },
  );
  const sink = ((reading: DriverCardReading) => handle(reading)) as DriverCardSink;
  sink.idle = async () => {
    while (queues.size > 0) await Promise.all([...queues.values()]);
  };
  return sink;
}
