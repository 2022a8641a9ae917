// Fleet markers as one GeoJSON source drawn on the GPU (circle and symbol layers), not one DOM
// element per device. Hub frames mark devices dirty; once per animation frame the batch turns
// them into one diff for GeoJSONSource.updateData (add the new, update the moved, remove the
// gone), so 10,000 devices reporting every second cost one small diff per frame, not a full
// re-upload. The source must use `promoteId: 'deviceId'` (updateData needs unique ids).
import type { FleetDevice } from '@fleet/api/contract';
import type { Feature, FeatureCollection, Point } from 'geojson';

export interface MarkerProperties {
  deviceId: string;
  name: string;
  kind: FleetDevice['kind'];
  status: FleetDevice['status'];
  /** Degrees clockwise from north; 0 when the device does not report one. */
  heading: number;
  speedKmh: number;
  /** Whether the heading arrow is drawn (moving vehicles with a heading). */
  arrow: boolean;
}

export type MarkerFeature = Feature<Point, MarkerProperties>;

/** The marker of a device, or undefined when it has no position or is disabled. */
export function markerFeature(d: FleetDevice): MarkerFeature | undefined {
  const p = d.position;
  if (!p || d.disabled) return undefined;
  const props: MarkerProperties = {
    deviceId: d.deviceId,
    name: d.name,
    kind: d.kind,
    status: d.status,
    heading: p.headingDeg ?? 0,
    speedKmh: p.speedKmh ?? 0,
    arrow: d.status === 'moving' && p.headingDeg !== null,
  };
  return {
    type: 'Feature',
    id: d.deviceId,
    geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
    properties: props,
  };
}

export interface MarkerDiff {
  add: MarkerFeature[];
  update: {
    id: string;
    newGeometry: Point;
    addOrUpdateProperties: { key: keyof MarkerProperties; value: unknown }[];
  }[];
  remove: string[];
}

export class MarkerBatch {
  /** Devices changed since the last take(). */
  readonly #dirty = new Set<string>();
  /** Devices the source holds now. */
  readonly #drawn = new Set<string>();

  get pending(): number {
    return this.#dirty.size;
  }

  get drawn(): number {
    return this.#drawn.size;
  }

  mark(deviceId: string): void {
    this.#dirty.add(deviceId);
  }

  /**
   * The whole source, for the first draw and after a resync (every device drawn anew, so
   * nothing stale can survive a reconnect). Clears what was pending.
   */
  full(devices: Iterable<FleetDevice>): FeatureCollection<Point, MarkerProperties> {
    this.#dirty.clear();
    this.#drawn.clear();
    const features: MarkerFeature[] = [];
    for (const d of devices) {
      const f = markerFeature(d);
      if (!f) continue;
      features.push(f);
      this.#drawn.add(d.deviceId);
    }
    return { type: 'FeatureCollection', features };
  }

  /** The diff for the devices marked since the last call; undefined when nothing changed. */
  take(lookup: (deviceId: string) => FleetDevice | undefined): MarkerDiff | undefined {
    if (this.#dirty.size === 0) return undefined;
    const diff: MarkerDiff = { add: [], update: [], remove: [] };
    for (const id of this.#dirty) {
      const d = lookup(id);
      const f = d ? markerFeature(d) : undefined;
      if (!f) {
        if (this.#drawn.delete(id)) diff.remove.push(id);
      } else if (this.#drawn.has(id)) {
        const p = f.properties;
        diff.update.push({
          id,
          newGeometry: f.geometry,
          addOrUpdateProperties: (Object.keys(p) as (keyof MarkerProperties)[])
            .filter((k) => k !== 'deviceId')
            .map((key) => ({ key, value: p[key] })),
        });
      } else {
        this.#drawn.add(id);
        diff.add.push(f);
      }
    }
    this.#dirty.clear();
    return diff;
  }
}
