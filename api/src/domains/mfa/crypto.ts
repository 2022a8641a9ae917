// The secrets of multi-factor sign-in, and nothing else: TOTP (RFC 6238) through `otpauth`, the
// QR image through `qrcode`, the encryption of TOTP secrets at rest, and recovery codes.
//
// - TOTP as authenticator apps expect it (Google Authenticator's key URI format): SHA-1, 6 digits,
//   30 s steps, 160-bit secrets (RFC 4226 section 4 recommends 160). A code is accepted one step
//   early or late (RFC 6238 section 5.2: clocks drift and people type slowly), and the caller
//   refuses any step at or before the last one used (section 5.2: "MUST NOT accept the second
//   attempt of the same OTP after the successful validation").
// - Secrets are stored encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from the
//   API's signing key, which lives outside the database: a copy of the database alone yields no
//   usable secret. The row's organisation and user are the associated data, so a ciphertext moved
//   to another user's row does not decrypt. The same sealing serves other secrets at rest (a
//   webhook's signing secret, domains/notifications): each purpose derives a key of its own and
//   binds a box to its own kind of row.
// - Recovery codes are 80 random bits each, so a plain SHA-256 is enough to store them: slow
//   password hashes exist to stop guessing of low-entropy secrets, and 2^80 candidates cannot be
//   guessed offline; a deterministic hash also lets the database find a code by its hash.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

export const TOTP_ISSUER = 'Fleet';
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_S = 30;
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1;
const SECRET_BYTES = 20;

export const RECOVERY_CODE_COUNT = 10;
/** 16 characters of base32 (5 bits each): 80 bits per code, shown as four groups of four. */
const RECOVERY_CODE_CHARS = 16;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** The TOTP of one account; `secretBase32` is what a user types when they cannot scan. */
export function totpFor(secretBase32: string, account: string): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label: account,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
    secret: Secret.fromBase32(secretBase32),
  });
}

export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The step (RFC 6238's T) a code belongs to, or undefined when it matches none in the window. */
export function matchTotp(secretBase32: string, code: string, now: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const totp = totpFor(secretBase32, 'check');
  const delta = totp.validate({ token: code, timestamp: now, window: TOTP_WINDOW });
  return delta === null ? undefined : totp.counter({ timestamp: now }) + delta;
}

/** The QR code of an otpauth:// URI as an SVG data URL (SVG: no native image library needed). */
export async function qrCodeDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

const CIPHER_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * What a cipher seals: the HKDF salt and info of its key (one key per purpose, so a box of one
 * purpose never opens under another's), and the associated data that binds a box to its row.
 */
export interface SealPurpose<Owner> {
  salt: string;
  info: string;
  /** Named in the error when a box does not open. */
  what: string;
  aad(owner: Owner): string;
}

export interface MfaSecretOwner {
  orgId: string;
  userId: string;
}

/** TOTP secrets (user_mfa.secret_ciphertext). These values are fixed: stored boxes depend on them. */
export const MFA_TOTP_SECRET: SealPurpose<MfaSecretOwner> = {
  salt: 'fleet-mfa',
  info: 'totp-secret-v1',
  what: 'MFA secret',
  aad: (owner) => `user_mfa:${owner.orgId}:${owner.userId}`,
};

/** Encrypts and decrypts secrets of one purpose with a key of their own, derived from the signing key. */
export class SecretCipher<Owner = MfaSecretOwner> {
  readonly #key: Buffer;
  readonly #purpose: SealPurpose<Owner>;

  constructor(signingKey: Uint8Array, purpose: SealPurpose<Owner>) {
    // A key for this purpose only (HKDF, RFC 5869): the signing key itself never encrypts.
    this.#key = Buffer.from(hkdfSync('sha256', signingKey, purpose.salt, purpose.info, 32));
    this.#purpose = purpose;
  }

  seal(plain: string, owner: Owner): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(this.#purpose.aad(owner)));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([CIPHER_VERSION]), iv, cipher.getAuthTag(), body]);
  }

  /** The plain secret; throws when the box was changed, moved or sealed under another key. */
  open(box: Uint8Array, owner: Owner): string {
    const data = Buffer.from(box);
    if (data.length <= 1 + IV_BYTES + TAG_BYTES || data[0] !== CIPHER_VERSION)
      throw new Error(`not a sealed ${this.#purpose.what}`);
    const iv = data.subarray(1, 1 + IV_BYTES);
    const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
    decipher.setAAD(Buffer.from(this.#purpose.aad(owner)));
    decipher.setAuthTag(tag);
    return Buffer.concat([
      decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }
}

/** A new recovery code as shown to the user: `abcd-efgh-ijkl-mnop`. */
export function newRecoveryCode(): string {
  // 256 is a multiple of 32, so each byte modulo 32 is uniform.
  const chars = Array.from(randomBytes(RECOVERY_CODE_CHARS), (b) => BASE32[b % 32]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
}

/** What the user typed, as it was issued: case, spaces and dashes do not matter. */
export function normaliseRecoveryCode(text: string): string | undefined {
  const chars = text.toLowerCase().replace(/[\s-]/g, '');
  if (chars.length !== RECOVERY_CODE_CHARS || ![...chars].every((c) => BASE32.includes(c))) return undefined;
  return chars;
}

export function hashRecoveryCode(normalised: string): string {
  return createHash('sha256').update(normalised).digest('hex');
}
