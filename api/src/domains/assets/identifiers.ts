// The identifiers a vehicle carries: the VIN (ISO 3779) with its check digit, and the licence
// plate as people write it. Pure functions: the schemas call them, the unit tests pin them.

/** 17 characters of A-Z and 0-9 without I, O and Q (ISO 3779 4.1: they read as 1 and 0). */
export const VIN_PATTERN = /^[A-HJ-NPR-Z0-9]{17}$/;

/** ISO 3779 / 49 CFR 565.15: the value of each character (letters skip I, O and Q). */
const TRANSLITERATION: Record<string, number> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
};
/** The weight of each position; the check digit's own (the 9th) weighs 0. */
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2] as const;

/** The check digit a VIN should have at position 9: '0'..'9' or 'X' (remainder 10). */
export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = vin[i] ?? '0';
    const value = c >= '0' && c <= '9' ? Number(c) : (TRANSLITERATION[c] ?? 0);
    sum += value * (WEIGHTS[i] ?? 0);
  }
  const rest = sum % 11;
  return rest === 10 ? 'X' : String(rest);
}

/**
 * Whether the VIN's region requires the check digit: North America (1-5: 49 CFR 565 makes it
 * mandatory) and China (L: GB 16735 took the same rule). Europe and the rest leave position 9
 * to the maker, so a digit there that fails the formula is no error.
 */
export function vinHasCheckDigit(vin: string): boolean {
  return /^[1-5L]/.test(vin);
}

export type VinCheck = { ok: true; vin: string } | { ok: false; message: string };

/** A VIN as people type it (any case, spaces around) checked and upper-cased. */
export function checkVin(input: string): VinCheck {
  const vin = input.trim().toUpperCase();
  if (vin.length !== 17) return { ok: false, message: `a VIN is 17 characters, not ${vin.length}` };
  if (/[IOQ]/.test(vin))
    return { ok: false, message: 'a VIN never contains I, O or Q (they read as 1 and 0)' };
  if (!VIN_PATTERN.test(vin)) return { ok: false, message: 'a VIN has only the letters A-Z and digits 0-9' };
  if (vinHasCheckDigit(vin)) {
    const expected = vinCheckDigit(vin);
    if (vin[8] !== expected)
      return {
        ok: false,
        message: `the check digit (9th character) of this VIN should be ${expected}, not ${vin[8]}: a character is mistyped`,
      };
  }
  return { ok: true, vin };
}

export const PLATE_MAX_LENGTH = 20;
/** Letters of any script, digits, and spaces, dashes or dots between them ("ABC-123", "M-AB 1234"). */
const PLATE_PATTERN = /^[\p{L}\p{N}](?:[\p{L}\p{N} .-]*[\p{L}\p{N}])?$/u;

export type PlateCheck = { ok: true; plate: string } | { ok: false; message: string };

/** A plate trimmed, its inner spaces collapsed, upper-cased: stored and shown like this. */
export function checkPlate(input: string): PlateCheck {
  const plate = input.trim().replace(/\s+/g, ' ').toUpperCase();
  if (plate.length < 1 || plate.length > PLATE_MAX_LENGTH)
    return { ok: false, message: `a plate is 1..${PLATE_MAX_LENGTH} characters` };
  if (!PLATE_PATTERN.test(plate))
    return { ok: false, message: 'a plate has letters and digits, with spaces, dashes or dots between them' };
  return { ok: true, plate };
}

/**
 * What two plates are compared by: without spaces and dashes, upper-cased. "abc-123" and
 * "ABC 123" are one plate; the unique index assets_org_plate_idx (migration 0009) says the same.
 */
export function plateKey(plate: string): string {
  return plate.replace(/[\s-]/g, '').toUpperCase();
}
