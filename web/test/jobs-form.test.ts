// The job form without its markup (lib/jobs/form.ts) against the API's own zod schemas: a new
// job and the changes of one at the organisation's wall clock (over the nights the clocks
// change), only what changed in a PATCH, the booking the live check asks about, the form's
// own problems at their fields, the API's refusals (`body.crew.1.vehicleId`) at the crew line
// they name, and booking on and off: a vehicle's driver riding along once it is taken off, a
// person driving the first vehicle nobody drives, a new start day keeping the job's length.
import type { Job } from '@fleet/api/contract';
import { describe, expect, it } from 'vitest';
import {
  JOB_MAX_ASSETS,
  JOB_MAX_CREW,
  JOB_MAX_DAYS,
  jobChangesSchema,
  jobCheckSchema,
  newJobSchema,
} from '../../api/src/domains/jobs/schemas.ts';
import { formErrors } from '../src/lib/admin/field-errors.ts';
import { errorFromResponse } from '../src/lib/api/errors.ts';
import {
  addAsset,
  addPerson,
  type Booked,
  blankJobForm,
  checkBody,
  JOB_LIMITS,
  type JobForm,
  jobChanges,
  jobFields,
  jobToForm,
  jobWindow,
  newJobBody,
  partValue,
  removeAsset,
  removePerson,
  setPart,
  setStartDay,
} from '../src/lib/jobs/form.ts';

const HEL = 'Europe/Helsinki';
const SITE = '4fb08a5c-2a99-4a9b-9b5c-7a5d4c4e3f55';
const VAN = '0b7c4c1e-8c55-4c57-9d1e-3c1f0e0a9b11';
const TRUCK = '5ac19b6d-3baa-4bac-8c6d-8b6e5d5f4a66';
const KIT = '1c8d5d2f-9d66-4d68-8e2f-4d2a1f1b0c22';
const ANNA = '2d9e6e3a-0e77-4e79-9f3a-5e3b2a2c1d33';
const BEN = '6bd2ac7e-4cbb-4cbd-9d7e-9c7f6e6a5b77';
const PROJECT = '3eaf7f4b-1f88-4f8a-8a4b-6f4c3b3d2e44';
const JOB_ID = '7ce3bd8f-5dcc-4dce-8e8f-ad8a7f7b6c88';

const filled = (extra: Partial<JobForm> = {}): JobForm => ({
  ...blankJobForm('2026-11-03'),
  title: '  Shoot at the harbour ',
  placeId: SITE,
  assetIds: [VAN, KIT],
  crew: [
    { driverId: ANNA, role: 'driver', vehicleId: VAN },
    { driverId: BEN, role: 'crew', vehicleId: null },
  ],
  ...extra,
});

const saved = (extra: Partial<Job> = {}): Job => ({
  id: JOB_ID,
  number: 7,
  reference: 'JOB-7',
  title: 'Shoot at the harbour',
  project: null,
  place: { id: SITE, name: 'Harbour', category: 'client_site' },
  startsAt: '2026-11-03T06:00:00.000Z',
  endsAt: '2026-11-03T14:00:00.000Z',
  state: 'planned',
  notes: null,
  assets: [
    { id: VAN, kind: 'vehicle', name: 'Van 7', plate: 'ABC-123', category: null, status: 'active' },
    { id: KIT, kind: 'equipment', name: 'Generator', plate: null, category: 'Generator', status: 'active' },
  ],
  crew: [
    { driverId: ANNA, name: 'Anna', role: 'driver', vehicleId: VAN },
    { driverId: BEN, name: 'Ben', role: 'crew', vehicleId: null },
  ],
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

describe('the limits', () => {
  it('are the API’s', () => {
    expect(JOB_LIMITS.maxDays).toBe(JOB_MAX_DAYS);
    expect(JOB_LIMITS.assets).toBe(JOB_MAX_ASSETS);
    expect(JOB_LIMITS.crew).toBe(JOB_MAX_CREW);
    // The title's and the notes' maxima, read from the schema's own refusals.
    expect(newJobSchema.safeParse({ ...body(), title: 'x'.repeat(JOB_LIMITS.title) }).success).toBe(true);
    expect(newJobSchema.safeParse({ ...body(), title: 'x'.repeat(JOB_LIMITS.title + 1) }).success).toBe(
      false,
    );
    expect(newJobSchema.safeParse({ ...body(), notes: 'x'.repeat(JOB_LIMITS.notes) }).success).toBe(true);
    expect(newJobSchema.safeParse({ ...body(), notes: 'x'.repeat(JOB_LIMITS.notes + 1) }).success).toBe(
      false,
    );
  });
});

function body() {
  const r = newJobBody(filled(), HEL);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.body;
}

describe('a new job', () => {
  it('is the API’s body, its window at the organisation’s wall clock', () => {
    const b = body();
    expect(newJobSchema.safeParse(b).success).toBe(true);
    expect(b).toEqual({
      title: 'Shoot at the harbour',
      placeId: SITE,
      startsAt: '2026-11-03T06:00:00.000Z',
      endsAt: '2026-11-03T14:00:00.000Z',
      assetIds: [VAN, KIT],
      crew: [
        { driverId: ANNA, role: 'driver', vehicleId: VAN },
        { driverId: BEN, role: 'crew' },
      ],
    });
    const withAll = newJobBody(filled({ projectId: PROJECT, notes: ' Gate code 1234 ' }), HEL);
    expect(withAll.ok && withAll.body).toMatchObject({ projectId: PROJECT, notes: 'Gate code 1234' });
  });

  it('runs past midnight and over the night the clocks go back', () => {
    const w = jobWindow(
      filled({ startDay: '2026-10-24', startTime: '22:00', endDay: '2026-10-25', endTime: '06:00' }),
      HEL,
    );
    // 22:00 summer time (UTC+3) to 06:00 winter time (UTC+2): nine hours.
    expect(w).toEqual({ ok: true, startsAt: '2026-10-24T19:00:00.000Z', endsAt: '2026-10-25T04:00:00.000Z' });
  });

  it('says what is missing or wrong at its field before anything is sent', () => {
    const r = newJobBody(
      filled({
        title: ' ',
        placeId: '',
        endTime: '07:00',
        crew: [{ driverId: ANNA, role: 'driver', vehicleId: TRUCK }],
      }),
      HEL,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.problems).sort()).toEqual(['crew.0', 'endsAt', 'placeId', 'title']);
    expect(r.problems.endsAt).toBe('it ends after it starts');
    const long = newJobBody(filled({ endDay: '2026-12-05' }), HEL);
    expect(!long.ok && long.problems.endsAt).toBe('a job lasts at most 31 days');
    const noTime = newJobBody(filled({ startTime: '8' }), HEL);
    expect(!noTime.ok && noTime.problems.startsAt).toMatch(/HH:MM/);
  });

  it('shows the API’s refusals at the asset or crew line they name', () => {
    const form = filled();
    const err = errorFromResponse(
      400,
      JSON.stringify({
        error: {
          code: 'validation_failed',
          message: 'the asset is retired and cannot be booked',
          details: [
            { path: 'body.assetIds.1', message: 'the asset is retired and cannot be booked' },
            { path: 'body.crew.1.driverId', message: 'that person was erased and cannot be booked' },
            { path: 'body.placeId', message: 'no such place in your organisation' },
          ],
        },
      }),
      new Headers(),
    );
    const shown = formErrors(err, jobFields(form));
    expect(shown.fields).toEqual({
      'assetIds.1': 'the asset is retired and cannot be booked',
      'crew.1': 'that person was erased and cannot be booked',
      placeId: 'no such place in your organisation',
    });
  });
});

describe('the changes of a job', () => {
  it('are only what differs, the API’s body', () => {
    const job = saved();
    const same = jobChanges(jobToForm(job, HEL), job, HEL);
    expect(same).toEqual({ ok: true, body: {} });
    const later = jobChanges(
      { ...jobToForm(job, HEL), startTime: '09:00', endTime: '17:30', notes: 'Bring cones' },
      job,
      HEL,
    );
    expect(later).toEqual({
      ok: true,
      body: {
        startsAt: '2026-11-03T07:00:00.000Z',
        endsAt: '2026-11-03T15:30:00.000Z',
        notes: 'Bring cones',
      },
    });
    expect(later.ok && jobChangesSchema.safeParse(later.body).success).toBe(true);
  });

  it('send a booking list whole, and both when a vehicle goes with its driver', () => {
    const job = saved({ project: { id: PROJECT, name: 'Commercial', client: null }, notes: 'x' });
    const offVan = jobChanges(removeAsset(jobToForm(job, HEL), VAN), job, HEL);
    expect(offVan).toEqual({
      ok: true,
      body: {
        assetIds: [KIT],
        crew: [
          { driverId: ANNA, role: 'crew' },
          { driverId: BEN, role: 'crew' },
        ],
      },
    });
    expect(offVan.ok && jobChangesSchema.safeParse(offVan.body).success).toBe(true);
    const cleared = jobChanges({ ...jobToForm(job, HEL), projectId: '', notes: '' }, job, HEL);
    expect(cleared).toEqual({ ok: true, body: { projectId: null, notes: null } });
  });
});

describe('the live check', () => {
  it('asks about the window and the bookings, leaving the job itself out', () => {
    const c = checkBody(filled(), HEL, JOB_ID);
    expect(c).toEqual({
      jobId: JOB_ID,
      startsAt: '2026-11-03T06:00:00.000Z',
      endsAt: '2026-11-03T14:00:00.000Z',
      assetIds: [VAN, KIT],
      crew: [
        { driverId: ANNA, role: 'driver', vehicleId: VAN },
        { driverId: BEN, role: 'crew' },
      ],
    });
    expect(jobCheckSchema.safeParse(c).success).toBe(true);
    expect(checkBody(filled(), HEL)).not.toHaveProperty('jobId');
  });

  it('waits for a whole window, and leaves out a driver line the form has yet to fix', () => {
    expect(checkBody(filled({ endTime: '' }), HEL)).toBeUndefined();
    expect(checkBody(filled({ endTime: '07:00' }), HEL)).toBeUndefined();
    const c = checkBody(filled({ crew: [{ driverId: ANNA, role: 'driver', vehicleId: TRUCK }] }), HEL);
    expect(c?.crew).toEqual([]);
    expect(jobCheckSchema.safeParse(c).success).toBe(true);
  });
});

describe('booking on and off', () => {
  const booked: Booked = { assetIds: [VAN, TRUCK, KIT], crew: [] };
  const vehicles = [VAN, TRUCK];

  it('books a vehicle or an item once', () => {
    expect(addAsset(booked, VAN)).toBe(booked);
    expect(addAsset({ assetIds: [], crew: [] }, KIT).assetIds).toEqual([KIT]);
  });

  it('makes a person the driver of the first vehicle nobody drives, then crew', () => {
    const one = addPerson(booked, ANNA, vehicles);
    const two = addPerson(one, BEN, vehicles);
    const three = addPerson(two, 'c0ffee00-0000-4000-8000-000000000001', vehicles);
    expect(three.crew.map(partValue)).toEqual([`drive:${VAN}`, `drive:${TRUCK}`, 'crew']);
    expect(addPerson(three, ANNA, vehicles)).toBe(three);
    // Equipment is never driven.
    expect(addPerson({ assetIds: [KIT], crew: [] }, ANNA, vehicles).crew).toEqual([
      { driverId: ANNA, role: 'crew', vehicleId: null },
    ]);
  });

  it('lets a vehicle go with its driver riding along, and a person go', () => {
    const form = addPerson(addPerson(booked, ANNA, vehicles), BEN, vehicles);
    const off = removeAsset(form, VAN);
    expect(off.assetIds).toEqual([TRUCK, KIT]);
    expect(off.crew.map(partValue)).toEqual(['crew', `drive:${TRUCK}`]);
    expect(removePerson(off, BEN).crew.map((c) => c.driverId)).toEqual([ANNA]);
  });

  it('changes a person’s part', () => {
    const form = addPerson(booked, ANNA, vehicles);
    expect(setPart(form, ANNA, `drive:${TRUCK}`).crew).toEqual([
      { driverId: ANNA, role: 'driver', vehicleId: TRUCK },
    ]);
    expect(setPart(form, ANNA, 'crew').crew).toEqual([{ driverId: ANNA, role: 'crew', vehicleId: null }]);
  });

  it('moves the end with a new start day, so the job keeps its length', () => {
    const night = { ...filled(), startDay: '2026-11-03', endDay: '2026-11-04' };
    expect(setStartDay(night, '2026-11-30')).toMatchObject({ startDay: '2026-11-30', endDay: '2026-12-01' });
    expect(setStartDay(night, '2026-11-01')).toMatchObject({ startDay: '2026-11-01', endDay: '2026-11-02' });
    expect(setStartDay(night, '')).toMatchObject({ startDay: '', endDay: '2026-11-04' });
  });
});
