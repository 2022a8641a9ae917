// Device authentication: MQTT username = device id, password = device token, checked against
// the registry. Verified credentials are cached briefly so a reconnect storm does not become a
// database storm; a change to the device (disable, new token) drops its entry at once.
import { createHash } from 'node:crypto';
import type { CredentialCheck, Device } from '@fleet/shared/db';

export interface CredentialSource {
  checkCredentials(deviceId: string, token: string): Promise<CredentialCheck>;
}

export type AuthDecision =
  | { ok: true; device: Device }
  | { ok: false; reason: 'bad_credentials' | 'unknown_device' | 'device_disabled' | 'client_id_mismatch' };

interface CacheEntry {
  device: Device;
  tokenDigest: string;
  expiresAt: number;
}

export class DeviceAuthenticator {
  readonly #source: CredentialSource;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #maxEntries: number;

  constructor(source: CredentialSource, ttlMs: number, now: () => number = Date.now, maxEntries = 100_000) {
    this.#source = source;
    this.#ttlMs = ttlMs;
    this.#now = now;
    this.#maxEntries = maxEntries;
  }

  async authenticate(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<AuthDecision> {
    if (!username || !password || password.length === 0 || password.length > 512) {
      return { ok: false, reason: 'bad_credentials' };
    }
    if (clientId !== username) return { ok: false, reason: 'client_id_mismatch' };
    const token = password.toString('utf8');
    const digest = createHash('sha256').update(token).digest('base64');
    const cached = this.#cache.get(username);
    if (cached && cached.tokenDigest === digest && cached.expiresAt > this.#now()) {
      return { ok: true, device: cached.device };
    }
    const check = await this.#source.checkCredentials(username, token);
    if (!check.ok) {
      // A wrong token must not evict the device's valid entry: anyone knowing a device id could
      // otherwise force database look-ups. Only a disabled or deleted device is forgotten.
      if (check.reason !== 'bad_token') this.#cache.delete(username);
      return { ok: false, reason: check.reason === 'bad_token' ? 'bad_credentials' : check.reason };
    }
    if (this.#ttlMs > 0) {
      if (this.#cache.size >= this.#maxEntries) this.#cache.clear();
      this.#cache.set(username, {
        device: check.device,
        tokenDigest: digest,
        expiresAt: this.#now() + this.#ttlMs,
      });
    }
    return { ok: true, device: check.device };
  }

  /** Forgets a device's cached credential (disabled, new token, deleted). */
  invalidate(deviceId: string): void {
    this.#cache.delete(deviceId);
  }
}
