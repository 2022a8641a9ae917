// Multi-factor sign-in with TOTP: enrolment, the check of a code or recovery code, recovery codes
// and removal. The auth service asks this module at sign-in (`SecondFactor`); the routes of
// routes.ts call the rest for the signed-in user. Secrets are decrypted only here, only in memory.
import type { SqlDatabase } from '@fleet/shared/db';
import type { SecondFactor, SecondFactorProof } from '../../auth/service.ts';
import type { Role } from '../../permissions.ts';
import {
  hashRecoveryCode,
  matchTotp,
  newRecoveryCode,
  newTotpSecret,
  normaliseRecoveryCode,
  qrCodeDataUrl,
  RECOVERY_CODE_COUNT,
  type SecretCipher,
  totpFor,
} from './crypto.ts';
import { MfaRecords, type StoredMfa } from './repository.ts';

export interface MfaStatus {
  enabled: boolean;
  /** Enrolment started and waiting for its first code. */
  pending: boolean;
  recoveryCodesLeft: number;
  /** The organisation requires MFA of administrators. */
  requiredForAdmins: boolean;
}

export interface TotpEnrolment {
  /** otpauth://totp/Fleet:<email>?secret=...&issuer=Fleet&algorithm=SHA1&digits=6&period=30 */
  uri: string;
  /** The secret in base32, for typing it in by hand. */
  secret: string;
  /** The URI as a QR code: an SVG image as a data: URL. */
  qrCode: string;
}

export type Confirmation =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; reason: 'not_started' | 'already_enabled' | 'wrong_code' };

export class MfaService implements SecondFactor {
  readonly #db: SqlDatabase;
  readonly #cipher: SecretCipher;
  readonly #now: () => number;

  constructor(deps: { db: SqlDatabase; cipher: SecretCipher; now?: () => number }) {
    this.#db = deps.db;
    this.#cipher = deps.cipher;
    this.#now = deps.now ?? Date.now;
  }

  #records(orgId: string): MfaRecords {
    return new MfaRecords(this.#db, orgId);
  }

  #secret(record: StoredMfa, owner: { orgId: string; userId: string }): string {
    try {
      return this.#cipher.open(record.secretBox, owner);
    } catch {
      // Not the user's fault and not a wrong code: the key it was sealed under is gone.
      throw new Error(
        `the MFA secret of user ${owner.userId} cannot be decrypted: was AUTH_JWT_SECRET (or DATA_DIR/auth) changed? Reset the user's MFA.`,
      );
    }
  }

  status(orgId: string, userId: string): Promise<MfaStatus> {
    return this.#records(orgId).state(userId);
  }

  async loginState(user: {
    id: string;
    orgId: string;
    role: Role;
  }): Promise<{ enabled: boolean; enrolmentRequired: boolean }> {
    const state = await this.#records(user.orgId).state(user.id);
    return {
      enabled: state.enabled,
      enrolmentRequired: !state.enabled && state.requiredForAdmins && user.role === 'admin',
    };
  }

  /** Checks a TOTP code or a recovery code and spends it; false when wrong or used before. */
  async verify(user: { id: string; orgId: string }, proof: SecondFactorProof): Promise<boolean> {
    const records = this.#records(user.orgId);
    if ('recoveryCode' in proof) {
      const code = normaliseRecoveryCode(proof.recoveryCode);
      return code !== undefined && records.spendRecoveryCode(user.id, hashRecoveryCode(code));
    }
    const record = await records.get(user.id);
    if (!record || record.confirmedAt === null) return false;
    const step = matchTotp(
      this.#secret(record, { orgId: user.orgId, userId: user.id }),
      proof.code,
      this.#now(),
    );
    return step !== undefined && records.spendStep(user.id, step);
  }

  /** A new secret waiting for its first code; undefined when MFA is already on. */
  async startEnrolment(orgId: string, userId: string, email: string): Promise<TotpEnrolment | undefined> {
    const secret = newTotpSecret();
    const saved = await this.#records(orgId).savePending(
      userId,
      this.#cipher.seal(secret, { orgId, userId }),
    );
    if (!saved) return undefined;
    const uri = totpFor(secret, email).toString();
    return { uri, secret, qrCode: await qrCodeDataUrl(uri) };
  }

  /** Turns MFA on with the first code from the app, and answers the recovery codes (once). */
  async confirmEnrolment(orgId: string, userId: string, code: string): Promise<Confirmation> {
    const records = this.#records(orgId);
    const record = await records.get(userId);
    if (!record) return { ok: false, reason: 'not_started' };
    if (record.confirmedAt !== null) return { ok: false, reason: 'already_enabled' };
    const step = matchTotp(this.#secret(record, { orgId, userId }), code, this.#now());
    if (step === undefined) return { ok: false, reason: 'wrong_code' };
    const codes = newRecoveryCodes();
    const confirmed = await records.confirm(userId, record.id, step, codes.hashes);
    // Restarted meanwhile: the code belonged to a secret that no longer exists.
    return confirmed ? { ok: true, recoveryCodes: codes.plain } : { ok: false, reason: 'wrong_code' };
  }

  /** Replaces every recovery code with new ones (the old ones stop working). */
  async replaceRecoveryCodes(orgId: string, userId: string): Promise<string[]> {
    const codes = newRecoveryCodes();
    await this.#records(orgId).replaceRecoveryCodes(userId, codes.hashes);
    return codes.plain;
  }

  /** Turns MFA off; false when it was not on (nor pending) or the user is not in this organisation. */
  remove(orgId: string, userId: string): Promise<boolean> {
    return this.#records(orgId).remove(userId);
  }
}

function newRecoveryCodes(): { plain: string[]; hashes: string[] } {
  const plain = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  return { plain, hashes: plain.map((c) => hashRecoveryCode(normaliseRecoveryCode(c) ?? c)) };
}
