// The VIN check digit (ISO 3779 / 49 CFR 565.15) against published VINs and by property, and
// plates as people write them. Pure functions: no server.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../../../test/fuzz.ts';
import {
  checkPlate,
  checkVin,
  plateKey,
  VIN_PATTERN,
  vinCheckDigit,
  vinHasCheckDigit,
} from './identifiers.ts';

const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
/** The value ISO 3779 gives a character: digits their own, letters 1-9 skipping I, O, Q. */
const VALUE: Record<string, number> = Object.fromEntries(
  [...VIN_CHARS].map((c) => [
    c,
    /\d/.test(c)
      ? Number(c)
      : ((
          {
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
          } as Record<string, number>
        )[c] ?? -1),
  ]),
);

describe('VIN check digit', () => {
  it('passes published VINs and computes their 9th character', () => {
    // A bus VIN whose digit is X (remainder 10), a Honda Accord's, and the all-ones VIN.
    for (const [vin, digit] of [
      ['1M8GDM9AXKP042788', 'X'],
      ['11111111111111111', '1'],
      ['1HGCM82633A004352', '3'],
    ] as const) {
      expect(vinCheckDigit(vin), vin).toBe(digit);
      expect(checkVin(vin), vin).toEqual({ ok: true, vin });
    }
  });

  it('refuses a changed character with the digit it expected', () => {
    const bad = checkVin('1M8GDM9AXKP042789');
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.message).toMatch(/should be 1, not X/);
    expect(checkVin('11111111211111111')).toMatchObject({ ok: false, message: /should be 1, not 2/ });
    expect(checkVin('11111111111111112')).toMatchObject({ ok: false, message: /should be 3, not 1/ });
  });

  it('checks the digit only where the standard defines one: North America (1-5) and China (L)', () => {
    expect(vinHasCheckDigit('1M8GDM9AXKP042788')).toBe(true);
    expect(vinHasCheckDigit('5YJSA1E26HF000337')).toBe(true);
    expect(vinHasCheckDigit('LRW3E7EB5NC000001')).toBe(true);
    expect(vinHasCheckDigit('WVWZZZ1JZXW000001')).toBe(false);
    expect(vinHasCheckDigit('JHMCM56557C404453')).toBe(false);
    expect(vinHasCheckDigit('YV1LW5548W2000000')).toBe(false);
    // A European VIN with a 9th character that fails the formula is still a VIN.
    expect(vinCheckDigit('WVWZZZ1JZXW000001')).not.toBe('Z');
    expect(checkVin('WVWZZZ1JZXW000001')).toEqual({ ok: true, vin: 'WVWZZZ1JZXW000001' });
    expect(checkVin('5YJSA1E26HF000337')).toMatchObject({ ok: false, message: /should be 7, not 6/ });
  });

  it('upper-cases and trims, and refuses the wrong length, I, O, Q and other characters', () => {
    expect(checkVin('  1m8gdm9axkp042788 ')).toEqual({ ok: true, vin: '1M8GDM9AXKP042788' });
    expect(checkVin('1M8GDM9AXKP04278')).toMatchObject({ ok: false, message: /17 characters, not 16/ });
    expect(checkVin('1M8GDM9AXKP0427888')).toMatchObject({ ok: false, message: /17 characters, not 18/ });
    expect(checkVin('1M8GDM9AXKP04278O')).toMatchObject({ ok: false, message: /I, O or Q/ });
    expect(checkVin('IM8GDM9AXKP042788')).toMatchObject({ ok: false, message: /I, O or Q/ });
    expect(checkVin('1M8GDM9AXKP04278-')).toMatchObject({ ok: false, message: /A-Z and digits/ });
    expect(checkVin('1M8GDM9AXKP04278Ä')).toMatchObject({ ok: false, message: /A-Z and digits/ });
  });

  const { seed, runs } = fuzzParameters('VIN check digit', 300);
  const vinBody = fc.array(fc.constantFrom(...VIN_CHARS), { minLength: 16, maxLength: 16 });

  it('any VIN given its computed digit passes; any single change of value outside position 9 is caught', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('1', '2', '3', '4', '5', 'L'),
        vinBody,
        fc.integer({ min: 0, max: 16 }),
        fc.constantFrom(...VIN_CHARS),
        (region, rest, at, replacement) => {
          const draft = [region, ...rest];
          draft[8] = '0';
          draft[8] = vinCheckDigit(draft.join(''));
          const vin = draft.join('');
          expect(VIN_PATTERN.test(vin)).toBe(true);
          expect(checkVin(vin)).toEqual({ ok: true, vin });
          if (at === 8 || at === 0) return; // the digit itself; the region decides whether it is checked
          if (VALUE[replacement] === VALUE[vin[at] ?? '']) return; // A and J weigh the same: undetectable
          const changed = [...vin];
          changed[at] = replacement;
          // Weights 2..10 times a value difference of 1..9 is never a multiple of 11.
          expect(checkVin(changed.join('')).ok).toBe(false);
        },
      ),
      { seed, numRuns: runs },
    );
  });

  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: 'binary' }), (text) => {
        const result = checkVin(text);
        if (result.ok) expect(VIN_PATTERN.test(result.vin)).toBe(true);
        else expect(result.message.length).toBeGreaterThan(0);
      }),
      { seed, numRuns: runs },
    );
  });
});

describe('plates', () => {
  it('are trimmed, upper-cased, with inner spaces collapsed', () => {
    expect(checkPlate('  abc-123 ')).toEqual({ ok: true, plate: 'ABC-123' });
    expect(checkPlate('m   ab  1234')).toEqual({ ok: true, plate: 'M AB 1234' });
    expect(checkPlate('åäö-12')).toEqual({ ok: true, plate: 'ÅÄÖ-12' });
    expect(checkPlate('CD 12.345')).toEqual({ ok: true, plate: 'CD 12.345' });
  });

  it('refuse what is no plate', () => {
    for (const text of ['', '   ', '-ABC', 'ABC-', 'AB_12', 'AB/12', "X' OR 1=1", 'A'.repeat(21)])
      expect(checkPlate(text).ok, text).toBe(false);
    expect(checkPlate('A'.repeat(20)).ok).toBe(true);
  });

  it('compare ignoring case, spaces and dashes, as the unique index does', () => {
    expect(plateKey('ABC-123')).toBe('ABC123');
    expect(plateKey('abc 123')).toBe('ABC123');
    expect(plateKey('A-B C-1')).toBe('ABC1');
    expect(plateKey('ABC.123')).toBe('ABC.123');
  });
});
