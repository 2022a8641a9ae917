// What the maps need around one alert, read from the API: the place it is about (its shape) and
// the asset's track (or, for an alert without an asset, the device's) around its time.
import type { AlertRecord } from '@fleet/shared/rules';
import type { ApiClient } from '../api/client.ts';
import type { Place } from '../api/management.ts';
import type { AlertScene } from '../map/alert-shapes.ts';
import { trackRange } from './format.ts';

export interface LoadedScene extends AlertScene {
  /** The place's name, when the alert is about one. */
  placeName?: string | undefined;
  /** Why part of the scene is missing (the track could not be read ...). */
  problems: string[];
}

const MAX_POINTS = 2_000;

export async function loadAlertScene(
  api: ApiClient,
  alert: AlertRecord,
  now = Date.now(),
): Promise<LoadedScene> {
  const problems: string[] = [];
  const range = trackRange(alert, now);
  const query = { from: range.from, to: range.to, maxPoints: MAX_POINTS };
  const placeTask: Promise<Place | undefined> =
    alert.placeId === null
      ? Promise.resolve(undefined)
      : api.call('GET /api/v1/places/{id}', { params: { id: alert.placeId } }).catch(() => {
          problems.push('the place is gone');
          return undefined;
        });
  const trackTask =
    alert.assetId !== null
      ? api.call('GET /api/v1/assets/{id}/track', { params: { id: alert.assetId }, query })
      : alert.deviceId !== null
        ? api.call('GET /api/v1/devices/{id}/track', { params: { id: alert.deviceId }, query })
        : Promise.resolve(undefined);
  const [place, track] = await Promise.all([
    placeTask,
    trackTask.catch(() => {
      problems.push('the track could not be read');
      return undefined;
    }),
  ]);
  return {
    marks: [alert],
    place: place ? { name: place.name, geometry: place.geometry } : undefined,
    placeName: place?.name,
    track: track?.points ?? [],
    problems,
  };
}
