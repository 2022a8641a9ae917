// What the two equipment kinds share: when an item (or a vehicle) counts as moving, how an
// asset is named in a title, and the registry of pairings that lets a vehicle's records find
// the items that travelled with it.
import type { TelemetryRecord } from '@fleet/shared';
import { haversineM, type LatLon } from '@fleet/shared/geo';
import type { AssetInfo, OrgContext } from '../types.ts';

/** Faster than this is moving; GPS speed of a parked tag wanders under it. */
export const MOVING_KMH = 5;

/** Moving: a reported speed over MOVING_KMH, or more than `jitterM` from the previous fix. */
export function moving(
  record: TelemetryRecord,
  fix: LatLon,
  previous: LatLon | undefined,
  jitterM: number,
): boolean {
  if (record.speedKmh !== undefined && record.speedKmh > MOVING_KMH) return true;
  return previous !== undefined && haversineM(previous, fix) > jitterM;
}

/** "Van ABC-123": the name, and the plate unless the name already has it. */
export function assetLabel(asset: AssetInfo): string {
  return asset.plate && !asset.name.includes(asset.plate) ? `${asset.name} ${asset.plate}` : asset.name;
}

/** Whether the item's last record says it stands still (the vehicle's records judge only still items). */
export interface PairedItem {
  still: boolean;
}

/**
 * Per organisation context and rule: vehicle device -> its paired items. Kind memory is per
 * rule and device, so a vehicle's record cannot read its items' memory; this index is rebuilt
 * from that memory (each item re-registers on its next record, see equipment-left-behind.ts)
 * and dies with the context, so it is no state of its own, only a way to find the items.
 */
const registries = new WeakMap<OrgContext, Map<string, Map<string, Map<string, PairedItem>>>>();

function ruleRegistry(org: OrgContext, ruleId: string): Map<string, Map<string, PairedItem>> {
  let byRule = registries.get(org);
  if (!byRule) {
    byRule = new Map();
    registries.set(org, byRule);
  }
  let byVehicle = byRule.get(ruleId);
  if (!byVehicle) {
    byVehicle = new Map();
    byRule.set(ruleId, byVehicle);
  }
  return byVehicle;
}

export function pairItem(
  org: OrgContext,
  ruleId: string,
  vehicle: string,
  item: string,
  still: boolean,
): void {
  const byVehicle = ruleRegistry(org, ruleId);
  let items = byVehicle.get(vehicle);
  if (!items) {
    items = new Map();
    byVehicle.set(vehicle, items);
  }
  items.set(item, { still });
}

export function unpairItem(org: OrgContext, ruleId: string, vehicle: string, item: string): void {
  const byVehicle = registries.get(org)?.get(ruleId);
  const items = byVehicle?.get(vehicle);
  if (!items) return;
  items.delete(item);
  if (items.size === 0) byVehicle?.delete(vehicle);
}

/** The items paired with a vehicle under a rule, with whether each was last still. */
export function pairedItems(
  org: OrgContext,
  ruleId: string,
  vehicle: string,
): ReadonlyMap<string, PairedItem> {
  return registries.get(org)?.get(ruleId)?.get(vehicle) ?? new Map();
}

/**
 * Carries the pairings over to a rebuilt context (a place or asset changed), so the vehicles'
 * records keep finding items that report rarely. Without it they are found again as each item
 * reports.
 */
export function carryEquipmentPairings(previous: OrgContext, next: OrgContext): void {
  const old = registries.get(previous);
  if (!old || old === registries.get(next)) return;
  registries.set(
    next,
    new Map(
      [...old].map(([rule, byVehicle]) => [
        rule,
        new Map([...byVehicle].map(([v, items]) => [v, new Map(items)])),
      ]),
    ),
  );
}
