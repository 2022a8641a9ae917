// The checks the forms make before sending, the same the API's schemas make (limits from
// api/management.ts; the email pattern is zod's, which the API's z.email() uses, and
// web/test/admin-validate.test.ts runs both on the same cases). A form that passes these can
// still be refused (a taken email, a self-crossing polygon): the API's answer then shows at the
// field the same way.
import { LIMITS } from '../api/management.ts';

/** zod 4's z.email() pattern (zod/v4/core/regexes.ts, `email`). */
const EMAIL =
  /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

export function emailProblem(email: string): string | undefined {
  if (email.length > LIMITS.email) return `at most ${LIMITS.email} characters`;
  return EMAIL.test(email) ? undefined : 'not an email address';
}

/** A name the API trims and wants 1..max characters long. */
export function nameProblem(name: string, max: number): string | undefined {
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'a name is needed';
  return trimmed.length > max ? `at most ${max} characters` : undefined;
}

export function passwordProblem(password: string): string | undefined {
  if (password.length < LIMITS.passwordMin) return `at least ${LIMITS.passwordMin} characters`;
  return password.length > LIMITS.passwordMax ? `at most ${LIMITS.passwordMax} characters` : undefined;
}

export function addressProblem(address: string): string | undefined {
  return address.trim().length > LIMITS.address
    ? `an address is at most ${LIMITS.address} characters`
    : undefined;
}

export function radiusProblem(radiusM: number): string | undefined {
  if (!Number.isFinite(radiusM)) return 'the radius is a number of metres';
  if (radiusM < LIMITS.minRadiusM) return `a radius is at least ${LIMITS.minRadiusM} m`;
  return radiusM > LIMITS.maxRadiusM ? `a radius is at most ${LIMITS.maxRadiusM / 1000} km` : undefined;
}

const PASSWORD_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * A password to hand to a new user: 20 characters of an alphabet without look-alikes (about
 * 116 bits), from the browser's CSPRNG without modulo bias.
 */
export function generatePassword(length = 20): string {
  const out: string[] = [];
  const limit = 256 - (256 % PASSWORD_ALPHABET.length);
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length)
        out.push(PASSWORD_ALPHABET[byte % PASSWORD_ALPHABET.length] as string);
    }
  }
  return out.join('');
}

/** Keeps the problems that exist: `{ name: undefined, email: 'x' }` → `{ email: 'x' }`. */
export function problems<F extends string>(
  checks: Record<F, string | undefined>,
): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {};
  for (const [field, problem] of Object.entries(checks) as [F, string | undefined][])
    if (problem !== undefined) out[field] = problem;
  return out;
}
