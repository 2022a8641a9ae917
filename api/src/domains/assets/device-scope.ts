// Department scope on the device-level routes: GET /devices/{id}, its /latest, /track,
// /telemetry, /events and /installations, and the changes (PATCH, disable, enable, token).
// A scoped user reaches a device only while it is installed now on an asset of their subtree,
// the same set that /devices, /fleet/latest and the hub show them (directory.ts): what their map
// shows can be opened, nothing else. Any other device (on another department's asset, on no
// asset, taken off theirs) answers 404 exactly as one that does not exist; a 403 would say it
// does. The assets policy decides, in the one query below, run under the user's scope.
//
// History by device, for a scoped user, is the current installation only: from when the device
// went onto their asset. Before that it may have ridden in another department's van. Asked by
// asset (/assets/{id}/track ...), each of their assets keeps its whole history across the
// devices it carried; a device whose installation ended is out of reach, its history with it.
import { inTenant, type SqlDatabase, withDepartmentScope } from '@fleet/shared/db';
import type { HistoryScope, TimeRange } from '../../history.ts';
import { ApiError } from '../../http/errors.ts';
import type { Principal } from '../../http/route.ts';

/** What a caller may read of a device they reach. */
export interface DeviceReach {
  deviceId: string;
  /** The start of the history they may read, ms: 0 (all of it) for an unscoped user. */
  since: number;
}

/** The error of a device out of reach: the very one of a device that does not exist. */
export const noSuchDevice = () => new ApiError('not_found', 'No such device.');

/**
 * Checks that the caller reaches the device; throws noSuchDevice otherwise. An unscoped user
 * reaches every device of the organisation (row-level security on devices stands behind the
 * route's own lookup), so this asks the database only for a scoped one. The check and a change
 * that follows are two transactions: a device moved out of the subtree in between is changed once
 * more, as if the change had come a moment earlier.
 */
export async function reachDevice(
  db: SqlDatabase,
  principal: Principal,
  deviceId: string,
): Promise<DeviceReach> {
  if (principal.scopeDepartmentId === undefined) return { deviceId, since: 0 };
  // The server runs the request in this scope already; set here too, so the rule holds for any caller.
  const rows = await withDepartmentScope(principal.scopeDepartmentId, () =>
    inTenant(db, principal.orgId, (tx) =>
      tx.query<{ installed_at: Date | string }>(
        `select i.installed_at from installations i join assets a on a.id = i.asset_id
         where i.device_id = $1 and i.removed_at is null`,
        [deviceId],
      ),
    ),
  );
  const open = rows[0];
  if (!open) throw noSuchDevice();
  return { deviceId, since: new Date(open.installed_at).getTime() };
}

/** The QuestDB scope of a device's history in `range`, as far as the caller may read it. */
export function deviceHistoryScope(orgId: string, reach: DeviceReach, range: TimeRange): HistoryScope {
  if (reach.since <= range.from) return { tenant: orgId, deviceId: reach.deviceId };
  // One window from the installation on; none at all when the range ends before it.
  const windows =
    reach.since < range.to ? [{ deviceId: reach.deviceId, from: reach.since, to: range.to }] : [];
  return { tenant: orgId, windows };
}
