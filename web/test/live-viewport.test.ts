// What the console sends the hub about its map (web/src/lib/live/viewport.ts), without a network.
import { describe, expect, it, vi } from 'vitest';
import {
  type HubViewport,
  liveMode,
  VIEWPORT_FLEET_THRESHOLD,
  ViewportSender,
  viewportOf,
} from '../src/lib/live/viewport.ts';

describe('viewportOf', () => {
  it.each([
    [{ west: 24.9, south: 60.1, east: 25.0, north: 60.2, zoom: 13.4 }, [24.9, 60.1, 25, 60.2], 13.4],
    // World copies: MapLibre's bounds run past ±180; the box wraps and may cross the antimeridian.
    [{ west: 170, south: -10, east: 190, north: 10, zoom: 4 }, [170, -10, -170, 10], 4],
    [{ west: -200, south: -10, east: -170, north: 10, zoom: 4 }, [160, -10, -170, 10], 4],
    [{ west: -300, south: -95, east: 300, north: 95, zoom: 0 }, [-180, -90, 180, 90], 0],
    [{ west: 0, south: 0, east: 180, north: 1, zoom: 30 }, [0, 0, 180, 1], 24],
  ])('%j is the box %j at zoom %d', (view, bbox, zoom) => {
    expect(viewportOf(view)).toEqual({ bbox, zoom });
  });
});

describe('liveMode', () => {
  it('follows the fleet size unless the address says', () => {
    const q = (s: string) => new URLSearchParams(s);
    expect(liveMode(q(''), 10)).toBe('full');
    expect(liveMode(q(''), VIEWPORT_FLEET_THRESHOLD + 1)).toBe('viewport');
    expect(liveMode(q('live=viewport'), 10)).toBe('viewport');
    expect(liveMode(q('live=full'), 50_000)).toBe('full');
    expect(liveMode(q('live=other'), 10)).toBe('full');
  });
});

describe('ViewportSender', () => {
  it('sends the last view once the map has stopped, and not the same view twice', () => {
    vi.useFakeTimers();
    try {
      const sent: HubViewport[] = [];
      const sender = new ViewportSender((v) => sent.push(v), 250);
      const view = { west: 24.9, south: 60.1, east: 25, north: 60.2, zoom: 12 };
      sender.update(view);
      vi.advanceTimersByTime(100);
      sender.update({ ...view, zoom: 13 });
      vi.advanceTimersByTime(249);
      expect(sent).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(sent).toEqual([{ bbox: [24.9, 60.1, 25, 60.2], zoom: 13 }]);
      sender.update({ ...view, zoom: 13 });
      vi.advanceTimersByTime(300);
      expect(sent).toHaveLength(1);
      sender.reset();
      sender.update({ ...view, zoom: 13 });
      vi.advanceTimersByTime(300);
      expect(sent).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
