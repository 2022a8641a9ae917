// Booking by drag and drop on the board: a vehicle, an item or a person from the side panel
// dropped onto a job's card becomes a proposal (the job's lists with it added: a person drives
// the first booked vehicle nobody drives, or rides along), which is checked for conflicts and
// shown on the card, and saved only when the dispatcher says so. What travels in the drag is
// the resource's kind, id and name under a type of its own, so nothing else dropped on a card
// (a file, a link, text) is taken for a booking.
import type { Job, JobChanges, JobCheck } from '@fleet/api/contract';
import { isFinalJob } from './actions.ts';
import { addAsset, addPerson, type Booked, type CrewLine, partValue, setPart } from './form.ts';

/** The drag's data type: a resource of the booking panel. */
export const BOOKABLE_TYPE = 'application/x-fleet-bookable';

export interface Bookable {
  kind: 'vehicle' | 'equipment' | 'person';
  id: string;
  name: string;
}

const KINDS: readonly Bookable['kind'][] = ['vehicle', 'equipment', 'person'];

export function encodeBookable(item: Bookable): string {
  return JSON.stringify({ kind: item.kind, id: item.id, name: item.name });
}

/** The resource a drag carries, or undefined for anything else. */
export function decodeBookable(text: string): Bookable | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null) return undefined;
    const { kind, id, name } = v as Record<string, unknown>;
    if (!KINDS.includes(kind as Bookable['kind']) || typeof id !== 'string' || typeof name !== 'string')
      return undefined;
    return { kind: kind as Bookable['kind'], id, name };
  } catch {
    return undefined;
  }
}

export interface DropProposal extends Booked {
  jobId: string;
  item: Bookable;
  startsAt: string;
  endsAt: string;
}

export type DropResult = { ok: true; proposal: DropProposal } | { ok: false; reason: string };

/** What dropping `item` on `job` would book, or why it books nothing. */
export function proposeDrop(job: Job, item: Bookable): DropResult {
  if (isFinalJob(job.state))
    return { ok: false, reason: `${job.reference} is ${job.state}: nothing is booked on it now.` };
  const booked: Booked = {
    assetIds: job.assets.map((a) => a.id),
    crew: job.crew.map((c): CrewLine => ({ driverId: c.driverId, role: c.role, vehicleId: c.vehicleId })),
  };
  const already =
    item.kind === 'person'
      ? booked.crew.some((c) => c.driverId === item.id)
      : booked.assetIds.includes(item.id);
  if (already) return { ok: false, reason: `${item.name} is on ${job.reference} already.` };
  const vehicles = job.assets.filter((a) => a.kind === 'vehicle').map((a) => a.id);
  const next = item.kind === 'person' ? addPerson(booked, item.id, vehicles) : addAsset(booked, item.id);
  return {
    ok: true,
    proposal: { jobId: job.id, item, startsAt: job.startsAt, endsAt: job.endsAt, ...next },
  };
}

/** The dropped person's part, as the select on the card offers it ('crew' or 'drive:<id>'). */
export function dropPart(p: DropProposal): string | undefined {
  if (p.item.kind !== 'person') return undefined;
  const line = p.crew.find((c) => c.driverId === p.item.id);
  return line === undefined ? undefined : partValue(line);
}

export function setDropPart(p: DropProposal, value: string): DropProposal {
  return p.item.kind === 'person' ? setPart(p, p.item.id, value) : p;
}

/** POST /api/v1/jobs/check: the job's window with the proposed lists, the job itself left out. */
export function dropCheck(p: DropProposal): JobCheck {
  return {
    jobId: p.jobId,
    startsAt: p.startsAt,
    endsAt: p.endsAt,
    assetIds: [...p.assetIds],
    crew: crewOf(p),
  };
}

/** PATCH /api/v1/jobs/{id}: the list the drop added to, whole (it replaces the job's). */
export function dropChanges(p: DropProposal): JobChanges {
  return p.item.kind === 'person' ? { crew: crewOf(p) } : { assetIds: [...p.assetIds] };
}

function crewOf(p: DropProposal) {
  return p.crew.map((c) =>
    c.role === 'driver' && c.vehicleId !== null
      ? { driverId: c.driverId, role: 'driver' as const, vehicleId: c.vehicleId }
      : { driverId: c.driverId, role: 'crew' as const },
  );
}
