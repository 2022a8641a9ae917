// Devices on assets, as the installation panel shows them: which devices to offer (those on no
// asset first, the asset's own kind of device before the other; then those on another asset,
// which the API moves here in one call), the body of an installation typed in the form, and how
// long a device was on.
import type { ConsoleEndpoints, DevicePage, Installation } from '@fleet/api/contract';
import { fromZonedInput } from '../device/range.ts';
import { ASSET_LIMITS } from './catalogue.ts';
import type { Choice } from './fields.ts';

export type ListedDevice = DevicePage['items'][number];
export type NewInstallation = ConsoleEndpoints['POST /api/v1/assets/{id}/installations']['body'];

export interface DeviceChoices {
  /** On no asset now. */
  free: Choice[];
  /** On another asset now: installing one here takes it off there. */
  elsewhere: Choice[];
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

export function deviceChoices(
  devices: readonly ListedDevice[],
  asset: { id: string; kind: 'vehicle' | 'equipment' },
): DeviceChoices {
  const rank = (d: ListedDevice) => (d.disabledAt !== null ? 2 : d.kind === asset.kind ? 0 : 1);
  const sorted = [...devices]
    .filter((d) => d.asset?.id !== asset.id)
    .sort((a, b) => rank(a) - rank(b) || collator.compare(a.name, b.name));
  const label = (d: ListedDevice) => {
    const on = d.asset ? ` — on ${d.asset.name}${d.asset.plate ? ` (${d.asset.plate})` : ''}` : '';
    return `${d.name}${d.kind === asset.kind ? '' : ` (${d.kind} device)`}${d.disabledAt !== null ? ' (disabled)' : ''}${on}`;
  };
  const choice = (d: ListedDevice): Choice => ({ value: d.id, label: label(d) });
  return {
    free: sorted.filter((d) => !d.asset).map(choice),
    elsewhere: sorted.filter((d) => d.asset).map(choice),
  };
}

export interface InstallDraft {
  deviceId: string;
  /** A datetime-local input's text in the organisation's time zone; "" is now. */
  installedAt: string;
  note: string;
}

export type InstallField = keyof InstallDraft;

export const EMPTY_INSTALL: InstallDraft = { deviceId: '', installedAt: '', note: '' };

/** The body to send, or what the API would refuse (the same rules as newInstallationSchema). */
export function installRequest(
  draft: InstallDraft,
  timeZone: string,
  now = Date.now(),
): { ok: true; body: NewInstallation } | { ok: false; problems: Partial<Record<InstallField, string>> } {
  const problems: Partial<Record<InstallField, string>> = {};
  if (draft.deviceId === '') problems.deviceId = 'choose a device';
  let installedAt: number | undefined;
  if (draft.installedAt.trim() !== '') {
    installedAt = fromZonedInput(draft.installedAt, timeZone);
    if (installedAt === undefined) problems.installedAt = 'not a date and time';
    else if (installedAt > now + ASSET_LIMITS.clockSkewMs) problems.installedAt = 'not in the future';
    else if (installedAt < Date.UTC(1990, 0, 1)) problems.installedAt = 'not before 1990';
  }
  const note = draft.note.trim();
  if (note.length > ASSET_LIMITS.installationNote)
    problems.note = `a note is at most ${ASSET_LIMITS.installationNote} characters`;
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  return {
    ok: true,
    body: {
      deviceId: draft.deviceId,
      ...(installedAt === undefined ? {} : { installedAt: new Date(installedAt).toISOString() }),
      ...(note === '' ? {} : { note }),
    },
  };
}

/** The installations still open (the devices on the asset now), first installed first. */
export function currentInstallations(items: readonly Installation[]): Installation[] {
  return items.filter((i) => i.removedAt === null).sort((a, b) => a.installedAt.localeCompare(b.installedAt));
}

/** "3 d 4 h", "25 min": how long a device was (or has been) on. */
export function formatSpan(fromMs: number, toMs: number): string {
  const minutes = Math.max(0, Math.floor((toMs - fromMs) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
