// The MFA records of one organisation's users (migration 0011), every statement under row-level
// security (inTenant). The TOTP secret is stored only as the sealed box of crypto.ts and recovery
// codes only as hashes, in tables of their own, so the users table and its audit entries never
// hold either. Steps and codes are spent by conditional updates, so two requests racing with the
// same code cannot both succeed.
import { type SqlExecutor, TenantRepository } from '@fleet/shared/db';

export interface StoredMfa {
  id: string;
  /** The sealed TOTP secret (crypto.ts SecretCipher). */
  secretBox: Uint8Array;
  /** Null while enrolment waits for its first code. */
  confirmedAt: Date | null;
}

interface MfaRow {
  id: string;
  secret_ciphertext: Uint8Array;
  confirmed_at: Date | string | null;
}

export class MfaRecords extends TenantRepository {
  async get(userId: string): Promise<StoredMfa | undefined> {
    const rows = await this.tx((tx) =>
      tx.query<MfaRow>(
        'select id::text as id, secret_ciphertext, confirmed_at from user_mfa where user_id = $1',
        [userId],
      ),
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      secretBox: row.secret_ciphertext,
      confirmedAt: row.confirmed_at === null ? null : new Date(row.confirmed_at),
    };
  }

  /** Whether the user has MFA on, how many unused recovery codes are left, and the policy. */
  async state(userId: string): Promise<{
    enabled: boolean;
    pending: boolean;
    recoveryCodesLeft: number;
    requiredForAdmins: boolean;
  }> {
    const rows = await this.tx((tx) =>
      tx.query<{ confirmed: boolean | null; codes: number | string; required: boolean | null }>(
        `select (select confirmed_at is not null from user_mfa where user_id = $1) as confirmed,
                (select count(*) from user_recovery_codes where user_id = $1 and used_at is null) as codes,
                (select mfa_required_for_admins from organisations) as required`,
        [userId],
      ),
    );
    const row = rows[0];
    return {
      enabled: row?.confirmed === true,
      pending: row?.confirmed === false,
      recoveryCodesLeft: Number(row?.codes ?? 0),
      requiredForAdmins: row?.required === true,
    };
  }

  /** Starts (or restarts) enrolment with a new secret; false when MFA is already on. */
  async savePending(userId: string, secretBox: Uint8Array): Promise<boolean> {
    return this.tx(async (tx) => {
      await tx.query('delete from user_mfa where user_id = $1 and confirmed_at is null', [userId]);
      const rows = await tx.query<{ id: string }>(
        `insert into user_mfa (org_id, user_id, secret_ciphertext) values ($1, $2, $3)
         on conflict (user_id) do nothing returning id::text as id`,
        [this.orgId, userId, secretBox],
      );
      return rows.length === 1;
    });
  }

  /**
   * Turns MFA on with the first code's step and a fresh set of recovery codes, if the pending
   * enrolment is still the one whose secret the code was checked against (not restarted since).
   */
  async confirm(
    userId: string,
    pendingId: string,
    step: number,
    codeHashes: readonly string[],
  ): Promise<boolean> {
    return this.tx(async (tx) => {
      const rows = await tx.query<{ id: string }>(
        `update user_mfa set confirmed_at = now(), last_used_step = $3
         where user_id = $1 and id = $2 and confirmed_at is null returning id::text as id`,
        [userId, pendingId, step],
      );
      if (rows.length === 0) return false;
      await replaceCodes(tx, this.orgId, userId, codeHashes);
      return true;
    });
  }

  /** Spends a TOTP step: true only if it is later than every step used before (no replay). */
  async spendStep(userId: string, step: number): Promise<boolean> {
    const rows = await this.tx((tx) =>
      tx.query<{ id: string }>(
        `update user_mfa set last_used_step = $2
         where user_id = $1 and confirmed_at is not null and (last_used_step is null or last_used_step < $2)
         returning id::text as id`,
        [userId, step],
      ),
    );
    return rows.length === 1;
  }

  /** Spends a recovery code by its hash: true the first time only. */
  async spendRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const rows = await this.tx((tx) =>
      tx.query<{ id: string }>(
        `update user_recovery_codes set used_at = now()
         where user_id = $1 and code_hash = $2 and used_at is null
           and exists (select 1 from user_mfa m where m.user_id = $1 and m.confirmed_at is not null)
         returning id::text as id`,
        [userId, codeHash],
      ),
    );
    return rows.length === 1;
  }

  async replaceRecoveryCodes(userId: string, codeHashes: readonly string[]): Promise<void> {
    await this.tx((tx) => replaceCodes(tx, this.orgId, userId, codeHashes));
  }

  /** Turns MFA off (secret and codes); false when the user had none, or is not in this organisation. */
  async remove(userId: string): Promise<boolean> {
    return this.tx(async (tx) => {
      await tx.query('delete from user_recovery_codes where user_id = $1', [userId]);
      const rows = await tx.query<{ id: string }>(
        'delete from user_mfa where user_id = $1 returning id::text as id',
        [userId],
      );
      return rows.length > 0;
    });
  }
}

async function replaceCodes(
  tx: SqlExecutor,
  orgId: string,
  userId: string,
  codeHashes: readonly string[],
): Promise<void> {
  await tx.query('delete from user_recovery_codes where user_id = $1', [userId]);
  await tx.query(
    `insert into user_recovery_codes (org_id, user_id, code_hash)
     select $1, $2, h from unnest($3::text[]) as h`,
    [orgId, userId, codeHashes],
  );
}
