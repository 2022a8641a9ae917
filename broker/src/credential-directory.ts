// Every device's credentials in memory, so that a CONNECT costs no database query. Measured
// before it (bench/REPORT.md, "Connect storm"): each CONNECT asked the registry once, the
// launcher's PGlite answered one query at a time at ~1 ms each over IPC, so 10,000 devices took
// 17.5 s to connect at ~570/s with CONNACK p50 2.9 s / p99 7.3 s, the launcher at 100% of a core.
//
// What it holds is what the registry holds: the SHA-256 of each device token (tokens are 256-bit
// random secrets, shared/src/db/devices.ts, so the hash is as safe here as in the table), the
// device, and whether its organisation is suspended. It is loaded at start and kept current by
// the registry's change notifications: a change forgets the device at once (the next CONNECT of
// it asks the registry, which knows the new state) and its row is read again in a batch. A
// device it does not hold is not refused for that (it may be newer than the last notification
// or over the bound): the authenticator asks the registry as before.
//
// A read (the load, a batch of re-reads) that began before a change of one of its devices must
// not put back what it read: each change is stamped, and a row read by an older read is dropped
// (the re-read scheduled by that change brings the new one).
//
// Pure bookkeeping; tested as tables (test/unit/credential-directory.test.ts).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CredentialCheck, Device, DeviceCredential } from '@fleet/shared/db';

interface Entry {
  device: Device;
  /** SHA-256 of the token, 32 bytes. */
  digest: Buffer;
  orgSuspended: boolean;
}

/** A read of the registry in progress: rows it returns are put with its start stamp. */
export interface DirectoryRead {
  readonly startedAt: number;
}

export class CredentialDirectory {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  /** Device id -> stamp of its last change, kept while any read is in flight. */
  readonly #changedAt = new Map<string, number>();
  #stamp = 0;
  #readsInFlight = 0;

  /** `maxEntries` bounds memory (~0.5 KB a device); devices over it are looked up instead. */
  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The registry's answer from memory, or undefined when this directory does not hold the
   * device (ask the registry). The order of the checks is the registry's own.
   */
  check(deviceId: string, password: Buffer): CredentialCheck | undefined {
    const entry = this.#entries.get(deviceId);
    if (!entry) return undefined;
    const digest = createHash('sha256').update(password.toString('utf8')).digest();
    if (!timingSafeEqual(digest, entry.digest)) return { ok: false, reason: 'bad_token' };
    if (entry.device.disabledAt !== null) return { ok: false, reason: 'device_disabled' };
    if (entry.orgSuspended) return { ok: false, reason: 'organisation_suspended' };
    return { ok: true, device: entry.device };
  }

  has(deviceId: string): boolean {
    return this.#entries.has(deviceId);
  }

  /** A change of the device was announced: forget it now (re-read it with a new read). */
  forget(deviceId: string): void {
    this.#stamp++;
    if (this.#readsInFlight > 0) this.#changedAt.set(deviceId, this.#stamp);
    this.#entries.delete(deviceId);
  }

  beginRead(): DirectoryRead {
    this.#readsInFlight++;
    return { startedAt: this.#stamp };
  }

  /**
   * Puts what a read returned: 'stale' for a row older than a change of its device, 'full' over
   * the bound, 'invalid' for a stored hash that is not a SHA-256 (the registry decides those).
   */
  put(read: DirectoryRead, credential: DeviceCredential): 'put' | 'stale' | 'full' | 'invalid' {
    const id = credential.device.id;
    const changed = this.#changedAt.get(id);
    if (changed !== undefined && changed > read.startedAt) return 'stale';
    const digest = Buffer.from(credential.tokenHash, 'hex');
    if (digest.length !== 32 || digest.toString('hex') !== credential.tokenHash.toLowerCase())
      return 'invalid';
    if (!this.#entries.has(id) && this.#entries.size >= this.#maxEntries) return 'full';
    this.#entries.set(id, { device: credential.device, digest, orgSuspended: credential.orgSuspended });
    return 'put';
  }

  endRead(_read: DirectoryRead): void {
    this.#readsInFlight = Math.max(0, this.#readsInFlight - 1);
    // No read left that a stamp could concern: the stamps go, so memory stays bounded.
    if (this.#readsInFlight === 0) this.#changedAt.clear();
  }
}
