// The conflict rules without a database: which licence classes cover which (Directive
// 2006/126/EC), and what a booking's facts add up to.
import { describe, expect, it } from 'vitest';
import { type BookedAsset, type BookedPerson, jobConflicts, licenceCovers } from './conflicts.ts';

const van: BookedAsset = {
  id: 'van',
  kind: 'vehicle',
  name: 'Van 3',
  status: 'active',
  licenceClass: null,
  overduePlans: [],
};
const driver: BookedPerson = {
  driverId: 'd1',
  name: 'Aino',
  status: 'active',
  licenceClasses: ['B'],
  licenceExpiry: '2030-01-01',
  role: 'driver',
  vehicleId: 'van',
};

describe('licence classes', () => {
  it('cover themselves and what the directive says they include, never more', () => {
    expect(licenceCovers(['B'], 'B')).toBe(true);
    expect(licenceCovers(['CE'], 'C')).toBe(true);
    expect(licenceCovers(['CE'], 'C1E')).toBe(true);
    expect(licenceCovers(['C'], 'CE')).toBe(false);
    expect(licenceCovers(['C1'], 'C')).toBe(false);
    expect(licenceCovers(['D'], 'C')).toBe(false);
    expect(licenceCovers(['A'], 'B')).toBe(false);
    expect(licenceCovers([], 'B')).toBe(false);
    expect(licenceCovers(['AM', 'D1E'], 'D1')).toBe(true);
  });
});

describe('job conflicts', () => {
  it('are none for an active van and a licensed driver', () => {
    expect(jobConflicts({ lastDay: '2027-01-05', assets: [van], crew: [driver], overlaps: [] })).toEqual([]);
  });

  it('name each problem once, about the asset or person it is', () => {
    const conflicts = jobConflicts({
      lastDay: '2030-01-02',
      assets: [{ ...van, status: 'in_workshop', licenceClass: 'C', overduePlans: ['Inspection', 'Oil'] }],
      crew: [
        driver,
        { ...driver, driverId: 'd2', name: 'Eero', role: 'crew', vehicleId: null, status: 'inactive' },
      ],
      overlaps: [
        {
          resource: 'asset',
          id: 'van',
          otherJob: { id: 'j9', reference: 'JOB-9', title: 'Other', startsAt: 'a', endsAt: 'b' },
        },
      ],
    });
    expect(conflicts.map((c) => [c.kind, c.assetId ?? c.driverId])).toEqual([
      ['asset_double_booked', 'van'],
      ['asset_in_workshop', 'van'],
      ['service_overdue', 'van'],
      ['licence_expired', 'van'],
      ['licence_class_missing', 'van'],
      ['driver_inactive', 'd2'],
    ]);
    expect(conflicts[0]?.message).toBe('Van 3 is booked on JOB-9 (Other) in an overlapping window');
    expect(conflicts[2]?.message).toContain('Inspection, Oil');
  });

  it('take a licence valid through the job’s last day as valid', () => {
    const on = jobConflicts({ lastDay: '2030-01-01', assets: [van], crew: [driver], overlaps: [] });
    expect(on).toEqual([]);
  });
});
