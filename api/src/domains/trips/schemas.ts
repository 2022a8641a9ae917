// The trips and stops routes' shapes: an asset's trips and stops over a range, as the device
// side detected them from its telemetry (shared/src/trips.ts). zod only: the console's type
// check loads this file.
import { z } from 'zod';
import { instant } from '../../routes/schemas.ts';

export const segmentQuerySchema = z
  .strictObject({
    from: instant,
    to: instant,
    format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  })
  .meta({ id: 'TripQuery' });

const point = z.object({
  lat: z.number(),
  lon: z.number(),
  place: z
    .object({ id: z.uuid(), name: z.string() })
    .nullable()
    .meta({ description: 'a place of the organisation containing it' }),
});

export const tripSchema = z
  .object({
    deviceId: z.string(),
    startedAt: z.string(),
    endedAt: z.string(),
    inProgress: z.boolean().meta({ description: 'the trip going on: its end is the last fix so far' }),
    start: point,
    end: point,
    distanceKm: z.number(),
    durationS: z.number(),
    drivingS: z.number().meta({ description: 'the duration less idling' }),
    idleS: z.number().meta({ description: 'standing with the engine on (or not known off) inside the trip' }),
    afterHoursS: z.number().nullable().meta({
      description: "time outside the organisation's working hours (null: written before it was kept)",
    }),
    maxSpeedKmh: z.number(),
    avgSpeedKmh: z.number().meta({ description: 'distance over moving time' }),
    odometerStartKm: z.number().nullable(),
    odometerEndKm: z.number().nullable(),
    driver: z
      .object({ id: z.uuid(), name: z.string() })
      .nullable()
      .meta({ description: 'by the driver card read in the trip' }),
    job: z
      .object({ id: z.uuid(), reference: z.string(), title: z.string() })
      .nullable()
      .meta({ description: 'a job booking this asset whose window the trip starts in' }),
  })
  .meta({ id: 'Trip' });
export type TripOut = z.infer<typeof tripSchema>;

export const stopSchema = z
  .object({
    deviceId: z.string(),
    startedAt: z.string(),
    endedAt: z.string(),
    inProgress: z.boolean(),
    lat: z.number(),
    lon: z.number(),
    place: point.shape.place,
    durationS: z.number(),
    engineOnS: z.number().meta({ description: 'idling while stopped' }),
  })
  .meta({ id: 'Stop' });
export type StopOut = z.infer<typeof stopSchema>;

export const tripListSchema = z
  .object({
    assetId: z.uuid(),
    from: z.number(),
    to: z.number(),
    items: z.array(tripSchema),
    totals: z.object({ trips: z.number(), distanceKm: z.number(), durationS: z.number(), idleS: z.number() }),
  })
  .meta({ id: 'TripList' });

export const stopListSchema = z
  .object({
    assetId: z.uuid(),
    from: z.number(),
    to: z.number(),
    items: z.array(stopSchema),
    totals: z.object({ stops: z.number(), durationS: z.number(), engineOnS: z.number() }),
  })
  .meta({ id: 'StopList' });
