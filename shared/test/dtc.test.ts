import {
  DTC_CATALOGUE_SIZE,
  DTC_CATALOGUE_SOURCE,
  describeDtc,
  dtcLabel,
  normaliseDtc,
} from '@fleet/shared/dtc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import catalogue from '../src/dtc/generic-codes.json' with { type: 'json' };

const WELL_FORMED = /^[PCBU][0-3][0-9A-F]{3}$/i;
const codes: Record<string, string> = catalogue.codes;

describe('describeDtc and dtcLabel: catalogued codes', () => {
  it.each([
    ['P0301', 'P0301 Cylinder 1 Misfire Detected'],
    ['P0420', 'P0420 Catalyst System Efficiency Below Threshold (Bank 1)'],
    ['P0171', 'P0171 System Too Lean (Bank 1)'],
    ['U0100', 'U0100 Lost Communication With ECM/PCM "A"'],
    ['C0035', 'C0035 Left Front Wheel Speed Circuit Malfunction'],
  ])('%s', (code, label) => {
    expect(dtcLabel(code)).toBe(label);
    const info = describeDtc(code);
    expect(info).toMatchObject({ code, standard: 'generic', known: true });
    expect(info?.description).toBe(label.slice(6));
  });

  it('names the system from the letter', () => {
    expect(describeDtc('P0301')?.system).toBe('powertrain');
    expect(describeDtc('C0035')?.system).toBe('chassis');
    expect(describeDtc('B0001')?.system).toBe('body');
    expect(describeDtc('U0100')?.system).toBe('network');
  });

  it('accepts lower case and surrounding white space', () => {
    expect(normaliseDtc('p0301 ')).toBe('P0301');
    expect(normaliseDtc('\t p0a1f\n')).toBe('P0A1F');
    expect(dtcLabel('p0301 ')).toBe('P0301 Cylinder 1 Misfire Detected');
    expect(describeDtc(' u0100')?.code).toBe('U0100');
  });
});

describe('codes the catalogue does not describe', () => {
  it('manufacturer-specific ranges (SAE J2012)', () => {
    for (const code of ['P1234', 'P3000', 'P33FF', 'B1000', 'B2ABC', 'C1234', 'C2000', 'U1000', 'U2FFF']) {
      expect(describeDtc(code)).toMatchObject({ standard: 'manufacturer', known: false, description: null });
      expect(dtcLabel(code)).toBe(`${code} (manufacturer-specific code)`);
    }
  });

  it('reserved ranges', () => {
    for (const code of ['B3000', 'C3FFF', 'U3000']) {
      expect(describeDtc(code)).toMatchObject({ standard: 'reserved', known: false, description: null });
      expect(dtcLabel(code)).toBe(`${code} (reserved code)`);
    }
  });

  it('generic codes missing from the catalogue', () => {
    expect(codes.P0ABC).toBeUndefined();
    expect(describeDtc('P0ABC')).toMatchObject({ standard: 'generic', known: false, description: null });
    expect(dtcLabel('P0ABC')).toBe('P0ABC (unknown generic code)');
    expect(describeDtc('P3400')?.standard).toBe('generic');
    expect(describeDtc('P3FFF')?.standard).toBe('generic');
    expect(describeDtc('P2FFF')?.standard).toBe('generic');
  });
});

describe('malformed input', () => {
  it.each([
    ['', '(empty) (not a valid OBD-II code)'],
    ['   ', '(empty) (not a valid OBD-II code)'],
    ['P030', 'P030 (not a valid OBD-II code)'],
    ['P03011', 'P03011 (not a valid OBD-II code)'],
    ['X0301', 'X0301 (not a valid OBD-II code)'],
    ['P4301', 'P4301 (not a valid OBD-II code)'],
    ['P03G1', 'P03G1 (not a valid OBD-II code)'],
    ['P 0301', 'P 0301 (not a valid OBD-II code)'],
  ])('%j', (input, label) => {
    expect(normaliseDtc(input)).toBeUndefined();
    expect(describeDtc(input)).toBeUndefined();
    expect(dtcLabel(input)).toBe(label);
  });

  it('clips long input to 20 characters', () => {
    expect(dtcLabel(`  ${'A'.repeat(500)}  `)).toBe(`${'A'.repeat(20)} (not a valid OBD-II code)`);
  });

  it('unicode: no look-alikes, no cut surrogate pairs, no control characters shown', () => {
    // Full-width letters, and "ﬀ" which upper-cases to the ASCII "FF".
    for (const input of ['Ｐ０３０１', 'P0ﬀ1', 'P0301\u0301', 'P\u200B0301', '🚗🚗🚗']) {
      expect(normaliseDtc(input)).toBeUndefined();
      expect(describeDtc(input)).toBeUndefined();
    }
    expect(dtcLabel('🚗'.repeat(30))).toBe(`${'🚗'.repeat(20)} (not a valid OBD-II code)`);
    expect(dtcLabel('P03\n01\u202E')).toBe('P03\uFFFD01\uFFFD (not a valid OBD-II code)');
  });

  it('does not throw on values that are not strings (untyped device payloads)', () => {
    for (const value of [undefined, null, 301, {}, ['P0301']]) {
      const input = value as unknown as string;
      expect(normaliseDtc(input)).toBeUndefined();
      expect(describeDtc(input)).toBeUndefined();
      expect(dtcLabel(input)).toBe('(empty) (not a valid OBD-II code)');
    }
  });
});

describe('properties', () => {
  const inputs = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    // Near misses of the pattern, about a third of them well-formed.
    fc
      .tuple(
        fc.constantFrom('P', 'C', 'B', 'U', 'p', 'c', 'b', 'u', 'X', 'Ｐ', ''),
        fc.constantFrom('0', '1', '2', '3', '4', 'A'),
        fc.oneof(
          { weight: 3, arbitrary: fc.stringMatching(/^[0-9A-Fa-f]{3}$/) },
          { weight: 1, arbitrary: fc.stringMatching(/^[0-9A-Fa-fG]{2,4}$/) },
        ),
        fc.constantFrom('', ' ', '\t', '\n', '\u00A0', '\u200B'),
      )
      .map(([letter, group, rest, pad]) => `${pad}${letter}${group}${rest}${pad}`),
  );

  it('dtcLabel never throws and gives a non-empty label of at most 200 characters', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const label = dtcLabel(input);
        expect(label.length).toBeGreaterThan(0);
        expect(label.length).toBeLessThanOrEqual(200);
      }),
      { seed: 1, numRuns: 2000 },
    );
  });

  it('normaliseDtc and describeDtc agree with the pattern', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const wellFormed = WELL_FORMED.test(input.trim());
        const normalised = normaliseDtc(input);
        expect(normalised !== undefined).toBe(wellFormed);
        if (normalised === undefined) return;
        expect(normalised).toMatch(/^[PCBU][0-3][0-9A-F]{3}$/);
        const info = describeDtc(normalised);
        expect(info).toEqual(describeDtc(input));
        expect(info?.code).toBe(normalised);
        expect(info?.known).toBe(info?.description !== null);
        expect(dtcLabel(input).startsWith(`${normalised} `)).toBe(true);
      }),
      { seed: 1, numRuns: 2000 },
    );
  });
});

describe('the catalogue file', () => {
  it('holds only well-formed generic codes with short descriptions, sorted', () => {
    const keys = Object.keys(codes);
    expect(keys.length).toBeGreaterThan(2000);
    expect(keys).toEqual([...keys].sort());
    for (const [code, description] of Object.entries(codes)) {
      expect(code).toMatch(/^[PCBU][0-3][0-9A-F]{3}$/);
      expect(describeDtc(code)).toMatchObject({ standard: 'generic', known: true, description });
      expect(typeof description).toBe('string');
      expect(description.length).toBeGreaterThan(0);
      expect(description.length).toBeLessThan(200);
      expect(description).toBe(description.trim());
    }
  });

  it('names its source', () => {
    expect(DTC_CATALOGUE_SIZE).toBe(Object.keys(codes).length);
    expect(DTC_CATALOGUE_SOURCE).toMatchObject({
      package: expect.stringContaining('scantool'),
      licence: 'GPL-2.0-or-later',
      fetchedBy: 'scripts/fetch-dtc.ts',
      codes: DTC_CATALOGUE_SIZE,
    });
  });
});
