// Equipment left behind: an item that travelled with a vehicle (within togetherM of it, both
// moving, for minTogetherS) becomes that vehicle's companion; when the item stands still and
// the companion's newest fix is more than distanceM away, the item was left behind (a
// generator forgotten at a job site). Tags report rarely while still, so the vehicle's records
// test it too: they find their items through the pairing registry (equipment.ts) and raise the
// condition about the item (`subject`). It clears when the vehicle comes back within distanceM
// or the item travels with a vehicle again. Memory (the item's): its previous fix, the vehicle
// it is travelling with and since when, and its companion.

import type { TelemetryRecord } from '@fleet/shared';
import { RULE_ASSET_KINDS } from '@fleet/shared';
import { haversineM } from '@fleet/shared/geo';
import type {
  AlertDetails,
  AssetInfo,
  KindInput,
  KindResult,
  Observation,
  RuleKindModule,
} from '../types.ts';
import { assetLabel, MOVING_KMH, moving, pairedItems, pairItem, unpairItem } from './equipment.ts';
import { keepHighest } from './hysteresis.ts';
import { fixOf } from './watched-places.ts';

/** A vehicle fix older than this (from the item's record's time) says nothing about travelling together. */
const TOGETHER_FRESH_MS = 60_000;

interface Memory {
  fix?: { lat: number; lon: number; ts: number };
  /** The vehicle it is moving with now: since when, and where that vehicle was at the last check. */
  together?: { vehicle: string; since: number; lat: number; lon: number };
  companion?: string;
  /**
   * The vehicle it last moved beside, however briefly. Two vans that leave a depot side by side
   * can make the wrong one the companion; when the item stops next to the one it last moved
   * with, that one is its companion (it arrived in it), not the van that drove on.
   */
  lastWith?: string;
}

type Input = KindInput<'equipment_left_behind'>;

/** 180 m, 1.2 km, 14 km: precise enough to read, coarse enough not to update the alert on every fix. */
function coarseM(m: number): number {
  const step = m < 1000 ? 10 : m < 10_000 ? 100 : 1000;
  return Math.round(m / step) * step;
}

function leftBehind(
  item: AssetInfo,
  vehicle: AssetInfo,
  distanceM: number,
): Pick<Observation, 'title' | 'details'> {
  const details: AlertDetails = {
    vehicleAssetId: vehicle.id,
    vehicleName: assetLabel(vehicle),
    distanceM: coarseM(distanceM),
  };
  return { title: `${assetLabel(item)} left behind by ${assetLabel(vehicle)}`, details };
}

/** The item's own record: who it travels with, and whether its companion is far away. */
function fromItem(
  { rule, asset, deviceId, org, memory }: Input,
  record: TelemetryRecord,
): KindResult | undefined {
  const fix = fixOf(record);
  if (!fix) return undefined;
  const p = rule.params;
  const m = memory as Memory;
  const isMoving = moving(record, fix, m.fix, p.togetherM);
  m.fix = { ...fix, ts: record.ts };
  let active: boolean | undefined;

  if (isMoving) {
    // The moving vehicle beside it: the one it was already with, else the nearest.
    let found: { vehicle: string; lat: number; lon: number } | undefined;
    for (const { deviceId: vehicle } of org.vehicles.near(fix, p.togetherM)) {
      const v = org.vehicles.latest(vehicle);
      if (!v || Math.abs(v.ts - record.ts) > TOGETHER_FRESH_MS) continue;
      const same = m.together?.vehicle === vehicle;
      const vehicleMoving =
        (v.speedKmh ?? 0) > MOVING_KMH ||
        (same && m.together !== undefined && haversineM(m.together, v) > p.togetherM);
      if (!vehicleMoving) continue;
      if (same || !found) found = { vehicle, lat: v.lat, lon: v.lon };
      if (same) break;
    }
    if (found) {
      m.lastWith = found.vehicle;
      const since = m.together?.vehicle === found.vehicle ? m.together.since : record.ts;
      m.together = { ...found, since };
      if (record.ts - since >= p.minTogetherS * 1000 && m.companion !== found.vehicle) {
        if (m.companion !== undefined) unpairItem(org, rule.id, m.companion, deviceId);
        m.companion = found.vehicle;
        active = false; // travelling with a vehicle again: whatever was left behind is not
      }
    } else delete m.together;
  } else delete m.together;

  if (!isMoving && m.companion !== undefined) {
    // Standing still away from its companion: if it stands beside the vehicle it last moved
    // with, or beside another vehicle (within togetherM), that vehicle brought it here.
    const companionFix = org.vehicles.latest(m.companion);
    const far = companionFix === undefined || haversineM(fix, companionFix) > p.distanceM;
    const arrivedWith = m.lastWith === undefined ? undefined : org.vehicles.latest(m.lastWith);
    let here: string | undefined =
      far && m.lastWith !== undefined && arrivedWith && haversineM(fix, arrivedWith) <= p.distanceM
        ? m.lastWith
        : undefined;
    if (far && here === undefined)
      here = org.vehicles
        .near(fix, p.togetherM)
        .find(
          (v) => Math.abs((org.vehicles.latest(v.deviceId)?.ts ?? 0) - record.ts) <= TOGETHER_FRESH_MS,
        )?.deviceId;
    if (here !== undefined && here !== m.companion && org.assetOf(here)?.kind === 'vehicle') {
      unpairItem(org, rule.id, m.companion, deviceId);
      m.companion = here;
    }
  }
  const companion = m.companion;
  if (companion === undefined) return undefined;
  const vehicleAsset = org.assetOf(companion);
  if (vehicleAsset?.kind !== 'vehicle') {
    // The tracker moved to another asset (or was removed): no companion any more.
    unpairItem(org, rule.id, companion, deviceId);
    delete m.companion;
    return { observations: [{ key: '', active: false, at: record.ts }] };
  }
  pairItem(org, rule.id, companion, deviceId, !isMoving);
  const v = org.vehicles.latest(companion);
  if (!v) return active === undefined ? undefined : { observations: [{ key: '', active, at: record.ts }] };
  const distanceM = haversineM(fix, v);
  if (active === undefined) {
    if (distanceM <= p.distanceM) active = false;
    else if (!isMoving) active = true;
    else return undefined; // moving, away from its vehicle: not left behind, and no new companion yet
  }
  return {
    observations: [
      {
        key: '',
        active,
        at: record.ts,
        ...(active ? leftBehind(asset, vehicleAsset, distanceM) : {}),
        position: fix,
      },
    ],
  };
}

/** A vehicle's record: how far it is from each still item that travelled with it. */
function fromVehicle({ rule, asset, deviceId, org }: Input, record: TelemetryRecord): KindResult | undefined {
  const fix = fixOf(record);
  if (!fix) return undefined;
  const items = pairedItems(org, rule.id, deviceId);
  if (items.size === 0) return undefined;
  const observations: Observation[] = [];
  for (const [item, { still }] of items) {
    const itemFix = org.lastFix(item);
    const itemAsset = org.assetOf(item);
    if (!still || !itemFix || itemAsset?.kind !== 'equipment') continue;
    const distanceM = haversineM(fix, itemFix);
    const active = distanceM > rule.params.distanceM;
    observations.push({
      key: '',
      active,
      at: record.ts,
      ...(active ? leftBehind(itemAsset, asset, distanceM) : {}),
      position: { lat: itemFix.lat, lon: itemFix.lon },
      subject: { deviceId: item, asset: itemAsset },
    });
  }
  return observations.length > 0 ? { observations } : undefined;
}

export const equipmentLeftBehind: RuleKindModule<'equipment_left_behind'> = {
  kind: 'equipment_left_behind',
  assetKinds: RULE_ASSET_KINDS.equipment_left_behind,
  onTelemetry(input, { record }): KindResult | undefined {
    return input.asset.kind === 'vehicle' ? fromVehicle(input, record) : fromItem(input, record);
  },
  /** The farthest the vehicle got while the alert was open. */
  mergeDetails: keepHighest('distanceM'),
};
