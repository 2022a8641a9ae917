// Booking by drag and drop (lib/jobs/drop.ts): what a drag carries, and only that taken for a
// booking; what a drop onto a job proposes (a person driving the first vehicle nobody drives,
// or riding along), what is refused (already on it, a finished job), and the check and the
// PATCH it sends, against the API's own schemas.
import type { Job } from '@fleet/api/contract';
import { describe, expect, it } from 'vitest';
import { jobChangesSchema, jobCheckSchema } from '../../api/src/domains/jobs/schemas.ts';
import {
  type Bookable,
  decodeBookable,
  dropChanges,
  dropCheck,
  dropPart,
  encodeBookable,
  proposeDrop,
  setDropPart,
} from '../src/lib/jobs/drop.ts';

const VAN = '0b7c4c1e-8c55-4c57-9d1e-3c1f0e0a9b11';
const TRUCK = '5ac19b6d-3baa-4bac-8c6d-8b6e5d5f4a66';
const KIT = '1c8d5d2f-9d66-4d68-8e2f-4d2a1f1b0c22';
const ANNA = '2d9e6e3a-0e77-4e79-9f3a-5e3b2a2c1d33';
const BEN = '6bd2ac7e-4cbb-4cbd-9d7e-9c7f6e6a5b77';
const JOB_ID = '7ce3bd8f-5dcc-4dce-8e8f-ad8a7f7b6c88';

const job = (extra: Partial<Job> = {}): Job => ({
  id: JOB_ID,
  number: 7,
  reference: 'JOB-7',
  title: 'Shoot',
  project: null,
  place: { id: '4fb08a5c-2a99-4a9b-9b5c-7a5d4c4e3f55', name: 'Harbour', category: 'client_site' },
  startsAt: '2026-11-03T06:00:00.000Z',
  endsAt: '2026-11-03T14:00:00.000Z',
  state: 'planned',
  notes: null,
  assets: [{ id: VAN, kind: 'vehicle', name: 'Van 7', plate: 'ABC-123', category: null, status: 'active' }],
  crew: [{ driverId: ANNA, name: 'Anna', role: 'driver', vehicleId: VAN }],
  conflicts: [],
  dispatchedAt: null,
  enRouteAt: null,
  onSiteAt: null,
  completedAt: null,
  cancelledAt: null,
  cancelReason: null,
  eta: null,
  createdAt: '2026-11-01T08:00:00.000Z',
  updatedAt: '2026-11-01T08:00:00.000Z',
  ...extra,
});

const truck: Bookable = { kind: 'vehicle', id: TRUCK, name: 'Truck 2' };
const kit: Bookable = { kind: 'equipment', id: KIT, name: 'Generator' };
const ben: Bookable = { kind: 'person', id: BEN, name: 'Ben' };

function proposal(j: Job, item: Bookable) {
  const r = proposeDrop(j, item);
  if (!r.ok) throw new Error(r.reason);
  return r.proposal;
}

describe('what a drag carries', () => {
  it('is the resource, both ways, and nothing else is taken for one', () => {
    expect(decodeBookable(encodeBookable(kit))).toEqual(kit);
    expect(decodeBookable(encodeBookable({ ...ben, extra: 1 } as Bookable))).toEqual(ben);
    for (const text of [
      '',
      'Van 7',
      '{"kind":"boat","id":"x","name":"y"}',
      '{"kind":"vehicle","id":1,"name":"y"}',
      'null',
      '[]',
    ])
      expect([text, decodeBookable(text)]).toEqual([text, undefined]);
  });
});

describe('a drop onto a job', () => {
  it('adds a vehicle or an item to its assets, and saves that list whole', () => {
    const p = proposal(job(), kit);
    expect(p.assetIds).toEqual([VAN, KIT]);
    expect(dropPart(p)).toBeUndefined();
    expect(dropChanges(p)).toEqual({ assetIds: [VAN, KIT] });
    expect(jobChangesSchema.safeParse(dropChanges(p)).success).toBe(true);
    const c = dropCheck(p);
    expect(c).toEqual({
      jobId: JOB_ID,
      startsAt: '2026-11-03T06:00:00.000Z',
      endsAt: '2026-11-03T14:00:00.000Z',
      assetIds: [VAN, KIT],
      crew: [{ driverId: ANNA, role: 'driver', vehicleId: VAN }],
    });
    expect(jobCheckSchema.safeParse(c).success).toBe(true);
  });

  it('makes a person the driver of a vehicle nobody drives, or crew, as the dispatcher may change', () => {
    const withTruck = job({
      assets: [
        ...job().assets,
        { id: TRUCK, kind: 'vehicle', name: 'Truck 2', plate: null, category: null, status: 'active' },
      ],
    });
    const p = proposal(withTruck, ben);
    expect(dropPart(p)).toBe(`drive:${TRUCK}`);
    expect(dropChanges(p)).toEqual({
      crew: [
        { driverId: ANNA, role: 'driver', vehicleId: VAN },
        { driverId: BEN, role: 'driver', vehicleId: TRUCK },
      ],
    });
    const riding = setDropPart(p, 'crew');
    expect(dropPart(riding)).toBe('crew');
    expect(dropChanges(riding)).toEqual({
      crew: [
        { driverId: ANNA, role: 'driver', vehicleId: VAN },
        { driverId: BEN, role: 'crew' },
      ],
    });
    expect(jobChangesSchema.safeParse(dropChanges(riding)).success).toBe(true);
    // Every vehicle has its driver: crew.
    expect(dropPart(proposal(job(), ben))).toBe('crew');
    // Changing a part is a person's only: an asset's proposal stays as it is.
    const asset = proposal(job(), truck);
    expect(setDropPart(asset, 'crew')).toBe(asset);
  });

  it('refuses what is on the job already, and any booking of a finished job', () => {
    expect(proposeDrop(job(), { kind: 'vehicle', id: VAN, name: 'Van 7' })).toEqual({
      ok: false,
      reason: 'Van 7 is on JOB-7 already.',
    });
    expect(proposeDrop(job(), { kind: 'person', id: ANNA, name: 'Anna' })).toMatchObject({ ok: false });
    expect(proposeDrop(job({ state: 'completed' }), kit)).toEqual({
      ok: false,
      reason: 'JOB-7 is completed: nothing is booked on it now.',
    });
    expect(proposeDrop(job({ state: 'en_route' }), kit).ok).toBe(true);
  });
});
