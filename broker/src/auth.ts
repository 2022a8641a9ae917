// Device authentication: MQTT username = device id, password = device token, checked against
// the registry. The credential directory (credential-directory.ts: every device's token hash,
// loaded at start, kept current by the registry's notifications) answers for the devices it
// holds without a look-up, right or wrong token alike. For a device it does not hold, verified
// credentials are cached briefly so a reconnect storm does not become a database storm; a
// change to the device (disable, new token) drops its entry at once. An id
// the registry does not know is remembered for a few seconds too, so that a flood of CONNECTs
// for made-up ids does not become a database storm either, and an id that cannot be a device
// id at all (the registry's ids are 3 to 64 characters, no control characters) is refused
// without asking.
import { createHash } from 'node:crypto';
import type { CredentialCheck, Device } from '@fleet/shared/db';

/** Answers from memory for the devices it holds; undefined: ask the registry (credential-directory.ts). */
export interface HeldCredentials {
  check(deviceId: string, password: Buffer): CredentialCheck | undefined;
}

export interface CredentialSource {
  checkCredentials(deviceId: string, token: string): Promise<CredentialCheck>;
}

export type AuthDecision =
  | { ok: true; device: Device }
  | {
      ok: false;
      reason:
        | 'bad_credentials'
        | 'unknown_device'
        | 'device_disabled'
        | 'organisation_suspended'
        | 'client_id_mismatch';
    };

/** What the broker needs from authentication; DeviceAuthenticator is the real one. */
export interface Authenticator {
  /** Decides from memory alone (no look-up); undefined when only the registry can tell. */
  check(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
  ): AuthDecision | undefined;
  authenticate(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<AuthDecision>;
}

interface CacheEntry {
  device: Device;
  tokenDigest: string;
  expiresAt: number;
}

/** Same bounds as the registry's `devices.id` check (shared/src/db/migrations.ts). */
const MIN_ID_LENGTH = 3;
const MAX_ID_LENGTH = 64;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Could this be a device id of the registry? (A NUL, for one, would make PostgreSQL fail.) */
export function plausibleDeviceId(id: string): boolean {
  return id.length >= MIN_ID_LENGTH && id.length <= MAX_ID_LENGTH && !CONTROL_CHARACTER.test(id);
}

export interface DeviceAuthenticatorOptions {
  /** How long an id the registry does not know is answered from memory (ms; 0: never). */
  unknownTtlMs?: number;
  /** The preloaded credentials, asked before anything else. */
  held?: HeldCredentials;
}

function decisionOf(check: CredentialCheck): AuthDecision {
  if (check.ok) return check;
  return { ok: false, reason: check.reason === 'bad_token' ? 'bad_credentials' : check.reason };
}

export class DeviceAuthenticator implements Authenticator {
  readonly #source: CredentialSource;
  readonly #ttlMs: number;
  readonly #unknownTtlMs: number;
  readonly #held: HeldCredentials | undefined;
  readonly #now: () => number;
  readonly #cache = new Map<string, CacheEntry>();
  /** Ids the registry did not know -> until when that answer is reused. */
  readonly #unknown = new Map<string, number>();
  /** Bound of each cache (verified credentials, unknown ids); a full one starts over. */
  readonly #maxEntries: number;

  constructor(
    source: CredentialSource,
    ttlMs: number,
    now: () => number = Date.now,
    maxEntries = 100_000,
    options: DeviceAuthenticatorOptions = {},
  ) {
    this.#source = source;
    this.#ttlMs = ttlMs;
    this.#now = now;
    this.#maxEntries = maxEntries;
    this.#unknownTtlMs = options.unknownTtlMs ?? 5_000;
    this.#held = options.held;
  }

  /** Verified credentials cached for devices the directory does not hold (tests, metrics). */
  get cachedCredentials(): number {
    return this.#cache.size;
  }

  check(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
  ): AuthDecision | undefined {
    if (!username || !password || password.length === 0 || password.length > 512) {
      return { ok: false, reason: 'bad_credentials' };
    }
    if (clientId !== username) return { ok: false, reason: 'client_id_mismatch' };
    if (!plausibleDeviceId(username)) return { ok: false, reason: 'unknown_device' };
    const held = this.#held?.check(username, password);
    if (held) return decisionOf(held);
    const now = this.#now();
    const unknownUntil = this.#unknown.get(username);
    if (unknownUntil !== undefined) {
      if (unknownUntil > now) return { ok: false, reason: 'unknown_device' };
      this.#unknown.delete(username);
    }
    const cached = this.#cache.get(username);
    if (cached && cached.tokenDigest === digestOf(password) && cached.expiresAt > now) {
      return { ok: true, device: cached.device };
    }
    return undefined;
  }

  async authenticate(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<AuthDecision> {
    const known = this.check(clientId, username, password);
    if (known) return known;
    // check() said "ask the registry", which it says only for a username and a password.
    const id = username as string;
    const token = (password as Buffer).toString('utf8');
    const check = await this.#source.checkCredentials(id, token);
    if (!check.ok) {
      // A wrong token must not evict the device's valid entry: anyone knowing a device id could
      // otherwise force database look-ups. Only a disabled or deleted device is forgotten.
      if (check.reason !== 'bad_token') this.#cache.delete(id);
      if (check.reason === 'unknown_device' && this.#unknownTtlMs > 0) {
        if (this.#unknown.size >= this.#maxEntries) this.#unknown.clear();
        this.#unknown.set(id, this.#now() + this.#unknownTtlMs);
      }
      return decisionOf(check);
    }
    this.#unknown.delete(id);
    if (this.#ttlMs > 0) {
      if (this.#cache.size >= this.#maxEntries) this.#cache.clear();
      this.#cache.set(id, {
        device: check.device,
        tokenDigest: digestOf(password as Buffer),
        expiresAt: this.#now() + this.#ttlMs,
      });
    }
    return { ok: true, device: check.device };
  }

  /** Forgets what is known of a device (disabled, new token, deleted, just provisioned). */
  invalidate(deviceId: string): void {
    this.#cache.delete(deviceId);
    this.#unknown.delete(deviceId);
  }
}

function digestOf(password: Buffer): string {
  return createHash('sha256').update(password.toString('utf8')).digest('base64');
}
