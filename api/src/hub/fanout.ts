// Who gets which positions, and which cluster counts: the hub's fan-out as functions of the
// organisation's sockets and positions, with the time passed in. A full-fleet client gets the
// tick's shared frame; a client with a viewport the positions inside its box (found through a
// grid of the tick's positions, viewport.ts) plus the devices it follows by id; a scoped user
// only devices of their departments, whatever they ask. Once a second a client with a viewport
// gets the devices outside it counted per grid cell of its zoom. Status, device events,
// alerts and jobs go to the clients that follow them, serialised once per event.
import type { AlertChange, HubBbox, HubCluster, HubFrame, LivePosition, PositionEvent } from '@fleet/shared';
import type { JobChange } from '@fleet/shared/jobs';
import { toLivePosition } from '../live-view.ts';
import { EncodedPositions } from './frames.ts';
import { follows, type HubClient, type HubSocket } from './session.ts';
import {
  ClusterLevel,
  cellDegAt,
  clusterLevel,
  clustersOutside,
  inBox,
  PointGrid,
  type Viewport,
} from './viewport.ts';

export interface FanoutDeps {
  clientOf(ws: HubSocket): HubClient;
  /** Sends positions (or holds them back for a slow client); `frame` encodes them when sent. */
  deliverPositions(ws: HubSocket, positions: LivePosition[], frame: () => Buffer): void;
  send(ws: HubSocket, frame: HubFrame | Buffer, type: string): void;
  offlineAfterMs: number;
}

export interface FleetEntry {
  event: PositionEvent;
  /** Server time the device was last heard from (its status is computed from it). */
  lastSeenAt: number;
}

/**
 * The latest position of each device of one organisation, kept by the hub once a client of it
 * sets a viewport: the redraw of a new viewport and the cluster counts read it, not live state.
 */
export class OrgFleet {
  readonly grid = new PointGrid<FleetEntry>();
  /** Filled from live state once; positions from the bus keep it current meanwhile and after. */
  seeded: Promise<void> | undefined;

  update(event: PositionEvent, lastSeenAt = event.receivedAt): void {
    const old = this.grid.get(event.deviceId);
    if (old && old.item.event.ts > event.ts) return; // a late fix must not move the device back
    this.grid.set(event.deviceId, event.lon, event.lat, {
      event,
      lastSeenAt: Math.max(lastSeenAt, old?.item.lastSeenAt ?? 0),
    });
  }

  /** The latest positions inside the box (of every device when bbox is null) that `accept` lets through. */
  positionsIn(
    bbox: HubBbox | null,
    accept: (id: string) => boolean,
    now: number,
    offlineAfterMs: number,
  ): LivePosition[] {
    const out: LivePosition[] = [];
    const take = (id: string, e: FleetEntry) => {
      if (accept(id)) out.push(toLivePosition(e.event, now, offlineAfterMs, e.lastSeenAt));
    };
    if (bbox === null) for (const p of this.grid.values()) take(p.id, p.item);
    else this.grid.forEachIn(bbox, (p) => take(p.id, p.item));
    return out;
  }
}

/** Whether a scoped client may see the device (unscoped clients see their whole organisation). */
export const visibleTo = (client: HubClient) => (id: string) =>
  client.visible === undefined || client.visible.has(id);

/** One tick's positions of one organisation to its sockets. */
export function fanOutPositions(
  deps: FanoutDeps,
  sockets: Iterable<HubSocket>,
  byDevice: ReadonlyMap<string, PositionEvent>,
  now: number,
): void {
  const positions = [...byDevice.values()].map((p) => toLivePosition(p, now, deps.offlineAfterMs));
  const encoded = new EncodedPositions(positions, now);
  // Built on the first client that needs it, once per tick.
  let batchGrid: PointGrid<number> | undefined;
  let indexOf: Map<string, number> | undefined;
  for (const ws of sockets) {
    const client = deps.clientOf(ws);
    if (!client.open) continue;
    const all = client.topics.has('positions');
    if (all && client.viewport === undefined && client.visible === undefined) {
      deps.deliverPositions(ws, positions, () => encoded.frame(client.format));
      continue;
    }
    if (!all && client.devices.size === 0) continue;
    const rows: number[] = [];
    const visible = visibleTo(client);
    if (all && client.viewport !== undefined) {
      const bbox = client.viewport.bbox;
      batchGrid ??= gridOf(positions);
      batchGrid.forEachIn(bbox, (p) => {
        if (visible(p.id)) rows.push(p.item);
      });
      // Devices followed by id come wherever they are (a selected vehicle leaving the view).
      if (client.devices.size > 0) {
        indexOf ??= new Map(positions.map((p, i) => [p.deviceId, i]));
        for (const id of client.devices) {
          const i = indexOf.get(id);
          const p = i === undefined ? undefined : positions[i];
          if (i !== undefined && p && visible(id) && !inBox(bbox, p.lon, p.lat)) rows.push(i);
        }
      }
    } else {
      for (let i = 0; i < positions.length; i++) {
        if (follows(client, (positions[i] as LivePosition).deviceId)) rows.push(i);
      }
    }
    if (rows.length === 0) continue;
    const mine = rows.map((i) => positions[i] as LivePosition);
    deps.deliverPositions(ws, mine, () => encoded.frame(client.format, rows));
  }
}

function gridOf(positions: readonly LivePosition[]): PointGrid<number> {
  const grid = new PointGrid<number>();
  positions.forEach((p, i) => {
    grid.set(p.deviceId, p.lon, p.lat, i);
  });
  return grid;
}

/** The clusters frame of one client, or undefined when it has no viewport. */
export function clustersFor(
  client: HubClient,
  fleet: OrgFleet,
  levels: Map<number, ClusterLevel<FleetEntry>>,
  now: number,
): Extract<HubFrame, { type: 'clusters' }> | undefined {
  const viewport: Viewport | undefined = client.viewport;
  if (viewport === undefined) return undefined;
  let cells: HubCluster[];
  let cellDeg: number;
  if (client.visible === undefined) {
    const level = clusterLevel(viewport.zoom);
    let shared = levels.get(level);
    if (!shared) {
      shared = new ClusterLevel(fleet.grid, viewport.zoom);
      levels.set(level, shared);
    }
    cells = shared.outside(viewport.bbox);
    cellDeg = shared.cellDeg;
  } else {
    cells = clustersOutside(fleet.grid, viewport, visibleTo(client));
    cellDeg = cellDegAt(viewport.zoom);
  }
  // A stable order, so an unchanged count makes an unchanged frame (and is not sent again).
  cells.sort((a, b) => a.lat - b.lat || a.lon - b.lon);
  const total = cells.reduce((n, c) => n + c.count, 0);
  return { type: 'clusters', at: now, zoom: viewport.zoom, cellDeg, total, cells };
}

/** Cluster counts to the organisation's viewport clients, skipping unchanged ones and slow readers. */
export function fanOutClusters(
  deps: FanoutDeps,
  sockets: Iterable<HubSocket>,
  fleet: OrgFleet,
  now: number,
): void {
  const levels = new Map<number, ClusterLevel<FleetEntry>>();
  for (const ws of sockets) {
    const client = deps.clientOf(ws);
    if (!client.open || client.viewport === undefined || client.backlog !== undefined) continue;
    sendClusters(deps, ws, client, fleet, levels, now, false);
  }
}

/** Sends the client its clusters frame: always when `force` (a viewport change), else only when it changed. */
export function sendClusters(
  deps: FanoutDeps,
  ws: HubSocket,
  client: HubClient,
  fleet: OrgFleet,
  levels: Map<number, ClusterLevel<FleetEntry>>,
  now: number,
  force: boolean,
): void {
  const frame = clustersFor(client, fleet, levels, now);
  if (!frame) return;
  // Serialised once, without its time: that text is both the comparison and the frame.
  const { type, at, ...rest } = frame;
  const body = JSON.stringify(rest);
  if (!force && body === client.lastClusters) return;
  client.lastClusters = body;
  deps.send(ws, Buffer.from(`{"type":"${type}","at":${at},${body.slice(1)}`), 'clusters');
}

/** A status or device event to the clients that follow its topic or its device (scope applied). */
export function fanOutDeviceFrame(
  deps: FanoutDeps,
  sockets: Iterable<HubSocket>,
  deviceId: string,
  topic: string,
  frame: HubFrame,
  type: string,
): void {
  let text: Buffer | undefined;
  for (const ws of sockets) {
    const client = deps.clientOf(ws);
    if (client.visible !== undefined && !client.visible.has(deviceId)) continue;
    if (client.topics.has(topic) || client.devices.has(deviceId)) {
      text ??= Buffer.from(JSON.stringify(frame));
      deps.send(ws, text, type);
    }
  }
}

/**
 * An alert to the organisation's `alerts` subscribers. A scoped user gets it only for a device
 * they see now (as positions and events), so one without a device goes to unscoped users only.
 */
export function fanOutAlert(deps: FanoutDeps, sockets: Iterable<HubSocket>, c: AlertChange): void {
  let text: Buffer | undefined;
  for (const ws of sockets) {
    const client = deps.clientOf(ws);
    if (!client.topics.has('alerts')) continue;
    const visible = client.visible;
    if (visible !== undefined && (c.alert.deviceId === null || !visible.has(c.alert.deviceId))) continue;
    text ??= Buffer.from(
      JSON.stringify({ type: 'alert', change: c.change, alert: c.alert } satisfies HubFrame),
    );
    deps.send(ws, text, 'alert');
  }
}

/**
 * A job's move to the organisation's `jobs` subscribers. Jobs are organisation-wide (a
 * dispatcher plans for every department), so scoped users get them too.
 */
export function fanOutJob(deps: FanoutDeps, sockets: Iterable<HubSocket>, change: JobChange): void {
  let text: Buffer | undefined;
  for (const ws of sockets) {
    if (!deps.clientOf(ws).topics.has('jobs')) continue;
    text ??= Buffer.from(JSON.stringify({ type: 'job', change } satisfies HubFrame));
    deps.send(ws, text, 'job');
  }
}
