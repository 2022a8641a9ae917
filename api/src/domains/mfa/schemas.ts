// The bodies of the MFA routes. The console's type check loads this module through
// api/src/contract.ts: keep its imports to zod and the shared schemas.
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../../auth/passwords.ts';

/** Six digits from the authenticator app. */
export const totpCode = z.string().regex(/^\d{6}$/, 'six digits from the authenticator app');
const recoveryCode = z.string().min(1).max(40);

export const mfaStatusSchema = z
  .object({
    enabled: z.boolean(),
    pending: z.boolean().meta({ description: 'enrolment started and waiting for the first code' }),
    recoveryCodesLeft: z.number().int(),
    requiredForAdmins: z.boolean().meta({ description: 'the organisation requires MFA of administrators' }),
  })
  .meta({ id: 'MfaStatus' });

export const totpEnrolmentSchema = z
  .object({
    uri: z.string().meta({
      description: 'otpauth:// key URI (issuer Fleet, the user email, SHA1, 6 digits, 30 s)',
      example:
        'otpauth://totp/Fleet:admin%40demo.local?issuer=Fleet&secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
    }),
    secret: z
      .string()
      .meta({ description: 'the secret in base32, to type in when the QR code cannot be scanned' }),
    qrCode: z.string().meta({ description: 'the URI as a QR code: data:image/svg+xml;base64,...' }),
  })
  .meta({ id: 'TotpEnrolment' });

export const totpConfirmationSchema = z.strictObject({ code: totpCode }).meta({ id: 'TotpConfirmation' });

export const recoveryCodesSchema = z
  .object({
    recoveryCodes: z.array(z.string()).meta({
      description: 'single-use codes for when the phone is lost: shown this once, stored only hashed',
    }),
  })
  .meta({ id: 'RecoveryCodes' });

/** A code from the app or, without the phone, a recovery code: exactly one. */
const proofFields = { code: totpCode.optional(), recoveryCode: recoveryCode.optional() };
const oneProof = (b: { code?: string | undefined; recoveryCode?: string | undefined }) =>
  (b.code === undefined) !== (b.recoveryCode === undefined);

const password = z
  .string({ error: 'your password is text' })
  .min(1, 'your password, to confirm it is you')
  .max(PASSWORD_MAX_LENGTH, `a password is at most ${PASSWORD_MAX_LENGTH} characters`);

/** Starting enrolment asks for the password again: a stolen session must not bind its own app. */
export const totpStartSchema = z.strictObject({ password }).meta({ id: 'TotpEnrolmentStart' });

export const mfaDisableSchema = z
  .strictObject({ password, ...proofFields })
  .refine(oneProof, { message: 'give either code or recoveryCode', path: ['code'] })
  .meta({ id: 'MfaDisable' });

export const recoveryCodesRequestSchema = z
  .strictObject(proofFields)
  .refine(oneProof, { message: 'give either code or recoveryCode', path: ['code'] })
  .meta({ id: 'RecoveryCodesRequest' });

export const mfaOffSchema = z.object({ enabled: z.literal(false) }).meta({ id: 'MfaOff' });
