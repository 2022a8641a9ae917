// Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser that
// signed in to an account gets a signed cookie naming the account and a random id. Its later
// attempts are limited per cookie instead of per account and address (login-guard.ts), so
// an attacker's failures cannot lock the real user out. The cookie holds no secret of the user's;
// it is an HMAC over (user id, nonce) with a key derived from the token signing key.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DEVICE_COOKIE = 'fleet_device';

export class DeviceCookies {
  readonly #key: Buffer;

  constructor(signingKey: Uint8Array) {
    // A key of its own, so a device cookie can never pass for anything the token key signs.
    this.#key = createHmac('sha256', signingKey).update('fleet device cookie v1').digest();
  }

  #mac(userId: string, nonce: string): string {
    return createHmac('sha256', this.#key).update(`${userId}.${nonce}`).digest('base64url');
  }

  issue(userId: string): string {
    const nonce = randomBytes(16).toString('base64url');
    return `${userId}.${nonce}.${this.#mac(userId, nonce)}`;
  }

  /** The cookie's id (its nonce) when it is genuine and names this user; else undefined. */
  verify(value: string | undefined, userId: string): string | undefined {
    if (value === undefined || value.length > 200) return undefined;
    const [id, nonce, mac, ...rest] = value.split('.');
    if (rest.length > 0 || id !== userId || nonce === undefined || mac === undefined) return undefined;
    const expected = Buffer.from(this.#mac(id, nonce));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return nonce;
  }
}
