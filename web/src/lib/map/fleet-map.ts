// The live map's behaviour over a MapLibre map: markers from the fleet (MarkerBatch diffs once
// per animation frame), smooth movement between reports, clusters when zoomed out, the selected
// device's halo and trail, follow mode and fit-to-fleet. The page owns the data (FleetState) and
// tells this view what changed; the view owns nothing but drawing.
import type { FleetDevice, LivePosition } from '@fleet/api/contract';
import type { HubCluster } from '@fleet/shared/live';
import type { FeatureCollection, Point } from 'geojson';
import type { GeoJSONSource, MapLayerMouseEvent, Map as MapLibreMap, MapSourceDataEvent } from 'maplibre-gl';
import { LngLatBounds } from 'maplibre-gl';
import {
  ARROW_IMAGE,
  arrowImage,
  CLUSTER_RADIUS_PX,
  CLUSTER_SOURCE,
  FLEET_LAYER_IDS,
  FLEET_SOURCE,
  fleetLayers,
  OUTSIDE_SOURCE,
  outsideLayers,
  SELECTABLE_LAYERS,
  STREET_ZOOM,
  selectedFilter,
  TRAIL_SOURCE,
} from './fleet-layers.ts';
import { interpolatePose, type MarkerPose, shouldAnimate } from './interpolate.ts';
import { MarkerBatch, type MarkerFeature, type MarkerProperties, markerFeature } from './markers.ts';
import { Trail, type TrailPoint } from './trail.ts';

/** A move is animated over this long (about one report interval). */
const GLIDE_MS = 900;
/** Above this many markers in view, markers step instead of gliding (the frame budget wins). */
export const MAX_GLIDING = 1_000;
/** Clusters are recomputed at most this often while zoomed out. */
const CLUSTER_REFRESH_MS = 2_000;
/**
 * Pacing: while markers take longer than this from hub frame to screen (a slow machine, software
 * WebGL, a huge fleet), they step instead of gliding and are sent to the map at most every
 * 2 × that time (up to MAX_FLUSH_GAP_MS), so drawing cannot starve the page of the time it
 * needs to read the hub's frames and answer the user.
 */
export const SLOW_FRAME_TO_MARKER_MS = 120;
const MAX_FLUSH_GAP_MS = 1_000;
export const FLEET_SOURCE_MAX_ZOOM = 12;
/** The performance.measure name of "hub frame received → marker drawn". */
export const FRAME_TO_MARKER = 'fleet:frame-to-marker';

export interface FleetMapViewOptions {
  map: MapLibreMap;
  /** The device as the page holds it now. */
  lookup(deviceId: string): FleetDevice | undefined;
  devices(): Iterable<FleetDevice>;
  /** What fit-to-fleet frames, when more than `devices` (those outside a hub viewport); default devices. */
  fleet?(): Iterable<FleetDevice>;
  onSelect(deviceId: string | undefined): void;
  /** Follow mode ended by the user (dragged the map). */
  onFollowEnd(): void;
  /** After markers were sent to the map: how many are drawn, and where the selected one is. */
  onDrawn?(drawn: number, selectedPose: MarkerPose | undefined): void;
  trailMinutes: number;
}

interface Glide {
  from: MarkerPose;
  to: MarkerPose;
  start: number;
}

export class FleetMapView {
  readonly map: MapLibreMap;
  readonly #o: FleetMapViewOptions;
  readonly #batch = new MarkerBatch();
  /** Where each marker is drawn now (differs from the data while it glides). */
  readonly #drawn = new Map<string, MarkerPose>();
  readonly #glides = new Map<string, Glide>();
  readonly #trail: Trail;
  #selected: string | undefined;
  #follow = false;
  #frame = 0;
  #wait: ReturnType<typeof setTimeout> | undefined;
  #lastFlush = 0;
  /** The first update sent to the map and not drawn yet (performance.now()). */
  #flushAt: number | undefined;
  /** Moving average of update sent → drawn (ms): how fast this machine draws the fleet. */
  #drawMs = 0;
  #clustersDirty = true;
  #clusterTimer: ReturnType<typeof setInterval>;
  /** Oldest hub frame whose positions are not drawn yet (performance.now()). */
  #pendingSince: number | undefined;
  // The frame→marker measure follows a hub frame's positions through the source (#onSourceData):
  // handed to updateData but not yet sent to the worker, being applied by the worker, applied
  // and waiting for a tile built from them, then drawn by the next render. Each holds the
  // oldest hub frame (performance.now()) in that stage.
  #unsent: number | undefined;
  #inWorker: number | undefined;
  #awaitingTile: number | undefined;
  #measureFrom: number | undefined;
  #measures = 0;
  #destroyed = false;

  constructor(options: FleetMapViewOptions) {
    this.#o = options;
    this.map = options.map;
    this.#trail = new Trail(options.trailMinutes * 60_000);
    const map = this.map;
    const empty: FeatureCollection = { type: 'FeatureCollection', features: [] };
    map.addImage(ARROW_IMAGE, arrowImage(2), { pixelRatio: 2, sdf: true });
    // Tiled no deeper than zoom 12 (about 1 m precision at 60° N, plenty for a marker): a street
    // view then takes one or two tiles of markers, so an update is drawn in one or two renders,
    // not one per tile of the view.
    map.addSource(FLEET_SOURCE, {
      type: 'geojson',
      data: empty,
      promoteId: 'deviceId',
      maxzoom: FLEET_SOURCE_MAX_ZOOM,
    });
    map.addSource(CLUSTER_SOURCE, {
      type: 'geojson',
      data: empty,
      cluster: true,
      clusterRadius: CLUSTER_RADIUS_PX,
      clusterMaxZoom: STREET_ZOOM - 1,
    });
    map.addSource(TRAIL_SOURCE, { type: 'geojson', data: this.#trail.toLineString() });
    map.addSource(OUTSIDE_SOURCE, { type: 'geojson', data: empty });
    for (const layer of fleetLayers()) map.addLayer(layer);
    for (const layer of outsideLayers()) map.addLayer(layer);

    for (const layer of SELECTABLE_LAYERS) {
      map.on('click', layer, this.#onPointClick);
      map.on('mouseenter', layer, this.#pointer);
      map.on('mouseleave', layer, this.#noPointer);
    }
    map.on('click', FLEET_LAYER_IDS.clusters, this.#onClusterClick);
    map.on('mouseenter', FLEET_LAYER_IDS.clusters, this.#pointer);
    map.on('mouseleave', FLEET_LAYER_IDS.clusters, this.#noPointer);
    map.on('dragstart', this.#onDragStart);
    map.on('zoomend', this.#onZoomEnd);
    map.on('sourcedataloading', this.#onSourceDataLoading);
    map.on('sourcedata', this.#onSourceData);
    map.on('sourcedataabort', this.#onSourceDataAbort);
    map.on('render', this.#onRender);
    this.#clusterTimer = setInterval(() => this.#refreshClusters(), CLUSTER_REFRESH_MS);
    this.redrawAll();
  }

  get selected(): string | undefined {
    return this.#selected;
  }

  /** Draws every device anew (first load, reload, resync after a reconnect): nothing stale survives. */
  redrawAll(): void {
    this.#glides.clear();
    this.#drawn.clear();
    const devices = [...this.#o.devices()];
    for (const d of devices) if (d.position) this.#drawn.set(d.deviceId, poseOf(d.position));
    this.#source(FLEET_SOURCE).setData(this.#batch.full(devices));
    this.#clustersDirty = true;
    this.#refreshClusters();
    this.#reportDrawn();
  }

  /** New positions from the hub (already applied to the page's fleet). */
  moved(positions: readonly LivePosition[], receivedAt: number): void {
    const now = performance.now();
    const bounds = this.map.getBounds();
    const glideAllowed = !this.slow && this.map.getZoom() >= STREET_ZOOM;
    for (const p of positions) {
      const to = poseOf(p);
      const from = this.#currentPose(p.deviceId, now);
      if (
        glideAllowed &&
        from !== undefined &&
        this.#glides.size < MAX_GLIDING &&
        (bounds.contains([from.lon, from.lat]) || bounds.contains([to.lon, to.lat])) &&
        shouldAnimate(from, to)
      ) {
        this.#glides.set(p.deviceId, { from, to, start: now });
      } else {
        this.#glides.delete(p.deviceId);
        this.#drawn.set(p.deviceId, to);
      }
      this.#batch.mark(p.deviceId);
      if (p.deviceId === this.#selected && this.#trail.add({ ts: p.ts, lon: p.lon, lat: p.lat }))
        this.#source(TRAIL_SOURCE).setData(this.#trail.toLineString());
    }
    this.#clustersDirty = true;
    this.#pendingSince = Math.min(this.#pendingSince ?? receivedAt, receivedAt);
    this.#schedule();
  }

  /** Devices whose look changed without moving (status, connection, rename, disabled). */
  changed(deviceIds: Iterable<string>): void {
    for (const id of deviceIds) {
      const d = this.#o.lookup(id);
      if (d?.position && !this.#glides.has(id)) this.#drawn.set(id, poseOf(d.position));
      if (!d?.position) this.#drawn.delete(id);
      this.#batch.mark(id);
    }
    this.#clustersDirty = true;
    this.#schedule();
  }

  /** The hub's counts of the devices outside the viewport (empty: none, or no viewport). */
  showOutside(cells: readonly HubCluster[]): void {
    const features = cells.map((c) => ({
      type: 'Feature' as const,
      geometry: { type: 'Point' as const, coordinates: [c.lon, c.lat] },
      properties: { count: c.count },
    }));
    this.#source(OUTSIDE_SOURCE).setData({ type: 'FeatureCollection', features });
  }

  /** Selects a device (halo, follow); its trail starts empty until setTrail. */
  select(deviceId: string | undefined): void {
    this.#selected = deviceId;
    this.map.setFilter(FLEET_LAYER_IDS.selected, selectedFilter(deviceId));
    this.setTrail([]);
    this.#reportDrawn();
  }

  /** Replaces the selected device's trail (from the track endpoint). */
  setTrail(points: readonly TrailPoint[]): void {
    this.#trail.reset(points, Date.now());
    this.#source(TRAIL_SOURCE).setData(this.#trail.toLineString());
  }

  /** Centres the selected device now (and keeps it there while following). */
  setFollow(follow: boolean): void {
    this.#follow = follow;
    if (follow) this.#centreSelected(true);
  }

  /** Brings the device into view if it is off screen. */
  reveal(deviceId: string): void {
    const pose = this.#drawn.get(deviceId);
    if (!pose) return;
    if (!this.map.getBounds().contains([pose.lon, pose.lat]) || this.map.getZoom() < STREET_ZOOM)
      this.map.easeTo({ center: [pose.lon, pose.lat], zoom: Math.max(this.map.getZoom(), STREET_ZOOM + 1) });
  }

  /** Fits the view to every device with a position; false when there is none. */
  fitToFleet(animate = true): boolean {
    const bounds = new LngLatBounds();
    let any = false;
    for (const d of (this.#o.fleet ?? this.#o.devices)()) {
      if (!d.position || d.disabled) continue;
      bounds.extend([d.position.lon, d.position.lat]);
      any = true;
    }
    if (!any) return false;
    this.map.fitBounds(bounds, { padding: 60, maxZoom: 16, ...(animate ? {} : { duration: 0 }) });
    return true;
  }

  destroy(): void {
    this.#destroyed = true;
    cancelAnimationFrame(this.#frame);
    clearTimeout(this.#wait);
    clearInterval(this.#clusterTimer);
    this.map.off('sourcedataloading', this.#onSourceDataLoading);
    this.map.off('sourcedata', this.#onSourceData);
    this.map.off('sourcedataabort', this.#onSourceDataAbort);
    this.map.off('render', this.#onRender);
    this.map.remove();
  }

  #source(id: string): GeoJSONSource {
    return this.map.getSource(id) as GeoJSONSource;
  }

  #currentPose(deviceId: string, now: number): MarkerPose | undefined {
    const g = this.#glides.get(deviceId);
    if (g) return interpolatePose(g.from, g.to, (now - g.start) / GLIDE_MS);
    return this.#drawn.get(deviceId);
  }

  /** Ends every glide where it was going (markers step from now on). */
  #landGlides(): void {
    for (const [id, g] of this.#glides) {
      this.#drawn.set(id, g.to);
      this.#batch.mark(id);
    }
    this.#glides.clear();
  }

  /** Whether markers are paced (see SLOW_FRAME_TO_MARKER_MS). */
  get slow(): boolean {
    return this.#drawMs > SLOW_FRAME_TO_MARKER_MS;
  }

  #schedule(): void {
    if (this.#frame !== 0 || this.#wait !== undefined || this.#destroyed) return;
    const gap = this.slow ? Math.min(MAX_FLUSH_GAP_MS, 2 * this.#drawMs) : 0;
    const wait = this.#lastFlush + gap - performance.now();
    if (wait <= 0) {
      this.#frame = requestAnimationFrame(this.#tick);
      return;
    }
    this.#wait = setTimeout(() => {
      this.#wait = undefined;
      this.#schedule();
    }, wait);
  }

  readonly #tick = (): void => {
    this.#frame = 0;
    const now = performance.now();
    for (const [id, g] of this.#glides) {
      const t = (now - g.start) / GLIDE_MS;
      this.#drawn.set(id, t >= 1 ? g.to : interpolatePose(g.from, g.to, t));
      if (t >= 1) this.#glides.delete(id);
      this.#batch.mark(id);
    }
    const diff = this.#batch.take((id) => this.#drawnDevice(id));
    if (diff) {
      this.#lastFlush = now;
      this.#flushAt ??= now;
      const since = this.#pendingSince;
      this.#pendingSince = undefined;
      // Before updateData: it may start sending (sourcedataloading) before it returns.
      if (since !== undefined) this.#unsent = Math.min(this.#unsent ?? since, since);
      void this.#source(FLEET_SOURCE)
        .updateData(diff)
        .then(() => this.map.triggerRepaint());
    }
    if (this.#follow) this.#centreSelected(false);
    if (diff) this.#reportDrawn();
    if (this.#glides.size > 0) this.#schedule();
  };

  #reportDrawn(): void {
    this.#o.onDrawn?.(
      this.#batch.drawn,
      this.#selected === undefined ? undefined : this.#drawn.get(this.#selected),
    );
  }

  /** The device with its position where its marker is drawn now. */
  #drawnDevice(id: string): FleetDevice | undefined {
    const d = this.#o.lookup(id);
    const pose = this.#drawn.get(id);
    if (!d?.position || !pose) return d;
    return { ...d, position: { ...d.position, lon: pose.lon, lat: pose.lat, headingDeg: pose.heading } };
  }

  #centreSelected(animate: boolean): void {
    const pose = this.#selected === undefined ? undefined : this.#drawn.get(this.#selected);
    if (!pose) return;
    if (animate)
      this.map.easeTo({ center: [pose.lon, pose.lat], zoom: Math.max(this.map.getZoom(), STREET_ZOOM + 1) });
    else this.map.jumpTo({ center: [pose.lon, pose.lat] });
  }

  #refreshClusters(): void {
    if (!this.#clustersDirty || this.map.getZoom() >= STREET_ZOOM) return;
    this.#clustersDirty = false;
    const features: MarkerFeature[] = [];
    for (const d of this.#o.devices()) {
      const drawn = this.#drawnDevice(d.deviceId);
      const feature = drawn ? markerFeature(drawn) : undefined;
      if (feature) features.push(feature);
    }
    const collection: FeatureCollection<Point, MarkerProperties> = { type: 'FeatureCollection', features };
    this.#source(CLUSTER_SOURCE).setData(collection);
  }

  // The source sends one update at a time to its worker, merging the diffs that arrive meanwhile
  // into the next; updateData's promise settles only once none is left, which never happens
  // while markers glide, so the stages are followed by the source's events instead. The
  // markers are drawn by the first render after a tile of the source was rebuilt from the
  // applied update, or after the source went idle (no tile in view to rebuild). A tile whose
  // build had started before the update was applied can end the wait one tile build early.
  readonly #onSourceDataLoading = (e: MapSourceDataEvent): void => {
    if (e.sourceId !== FLEET_SOURCE || e.tile || this.#unsent === undefined) return;
    this.#inWorker = Math.min(this.#inWorker ?? this.#unsent, this.#unsent);
    this.#unsent = undefined;
  };

  readonly #onSourceData = (e: MapSourceDataEvent): void => {
    if (e.sourceId !== FLEET_SOURCE) return;
    if (!e.tile && e.sourceDataType === 'content' && this.#inWorker !== undefined) {
      this.#awaitingTile = Math.min(this.#awaitingTile ?? this.#inWorker, this.#inWorker);
      this.#inWorker = undefined;
    } else if (e.tile && this.#awaitingTile !== undefined) {
      this.#measureFrom = Math.min(this.#measureFrom ?? this.#awaitingTile, this.#awaitingTile);
      this.#awaitingTile = undefined;
    }
  };

  /** An update the worker abandoned: its positions go with the next one. */
  readonly #onSourceDataAbort = (e: MapSourceDataEvent): void => {
    if (e.sourceId !== FLEET_SOURCE || e.tile || this.#inWorker === undefined) return;
    this.#unsent = Math.min(this.#unsent ?? this.#inWorker, this.#inWorker);
    this.#inWorker = undefined;
  };

  readonly #onRender = (): void => {
    if (this.#awaitingTile !== undefined && this.map.isSourceLoaded(FLEET_SOURCE)) {
      this.#measureFrom = Math.min(this.#measureFrom ?? this.#awaitingTile, this.#awaitingTile);
      this.#awaitingTile = undefined;
    }
    if (this.#measureFrom === undefined) return;
    const end = performance.now();
    performance.measure(FRAME_TO_MARKER, { start: this.#measureFrom, end });
    const ms = end - (this.#flushAt ?? this.#measureFrom);
    this.#flushAt = undefined;
    this.#drawMs = this.#drawMs === 0 ? ms : 0.8 * this.#drawMs + 0.2 * ms;
    if (this.slow && this.#glides.size > 0) {
      this.#landGlides();
      this.#schedule();
    }
    this.#measureFrom = undefined;
    // Bounded: a console open all day must not keep every measure (observers still get them).
    if (++this.#measures % 1_000 === 0) performance.clearMeasures(FRAME_TO_MARKER);
  };

  readonly #onPointClick = (e: MapLayerMouseEvent): void => {
    const id = e.features?.[0]?.properties?.deviceId;
    if (typeof id === 'string') this.#o.onSelect(id);
  };

  readonly #onClusterClick = (e: MapLayerMouseEvent): void => {
    const f = e.features?.[0];
    const clusterId = f?.properties?.cluster_id;
    if (typeof clusterId !== 'number' || f?.geometry.type !== 'Point') return;
    const center = f.geometry.coordinates as [number, number];
    void this.#source(CLUSTER_SOURCE)
      .getClusterExpansionZoom(clusterId)
      .then((zoom) => this.map.easeTo({ center, zoom: Math.max(zoom, STREET_ZOOM) }));
  };

  readonly #onDragStart = (): void => {
    if (!this.#follow) return;
    this.#follow = false;
    this.#o.onFollowEnd();
  };

  readonly #onZoomEnd = (): void => {
    this.#clustersDirty = true;
    this.#refreshClusters();
  };

  readonly #pointer = (): void => {
    this.map.getCanvas().style.cursor = 'pointer';
  };

  readonly #noPointer = (): void => {
    this.map.getCanvas().style.cursor = '';
  };
}

function poseOf(p: { lon: number; lat: number; headingDeg: number | null }): MarkerPose {
  return { lon: p.lon, lat: p.lat, heading: p.headingDeg ?? 0 };
}
