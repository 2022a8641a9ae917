// The secrets of MFA without a server: TOTP against RFC 6238's own test vectors, the window and
// its edges, the sealed secret (tampered, moved or under another key: refused), recovery codes.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Secret, TOTP, URI } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../../../test/fuzz.ts';
import {
  hashRecoveryCode,
  MFA_TOTP_SECRET,
  matchTotp,
  newRecoveryCode,
  newTotpSecret,
  normaliseRecoveryCode,
  qrCodeDataUrl,
  SecretCipher,
  totpFor,
} from './crypto.ts';

// RFC 6238 appendix B: the SHA-1 seed is the ASCII of "12345678901234567890".
const RFC_SECRET = new Secret({ buffer: new TextEncoder().encode('12345678901234567890').buffer }).base32;

describe('TOTP', () => {
  it('matches the RFC 6238 SHA-1 test vectors (last six digits of the 8-digit values)', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1_111_111_109, '07081804'],
      [1_111_111_111, '14050471'],
      [1_234_567_890, '89005924'],
      [2_000_000_000, '69279037'],
    ];
    for (const [seconds, eight] of vectors) {
      const code = eight.slice(2);
      expect(totpFor(RFC_SECRET, 'x').generate({ timestamp: seconds * 1000 })).toBe(code);
      expect(matchTotp(RFC_SECRET, code, seconds * 1000)).toBe(Math.floor(seconds / 30));
    }
  });

  it('accepts one step early or late and no more; answers the step the code belongs to', () => {
    const secret = newTotpSecret();
    const now = 1_800_000_015_000; // 15 s into a step
    const step = Math.floor(now / 30_000);
    const at = (s: number) => totpFor(secret, 'x').generate({ timestamp: s * 30_000 });
    expect(matchTotp(secret, at(step), now)).toBe(step);
    expect(matchTotp(secret, at(step - 1), now)).toBe(step - 1);
    expect(matchTotp(secret, at(step + 1), now)).toBe(step + 1);
    // Two steps off is refused (unless the 6 digits happen to collide, 1 in 10^6).
    if (at(step - 2) !== at(step) && at(step - 2) !== at(step - 1) && at(step - 2) !== at(step + 1))
      expect(matchTotp(secret, at(step - 2), now)).toBeUndefined();
    for (const garbage of ['', '12345', '1234567', 'abcdef', ' 12345', '１２３４５６', '12345\n'])
      expect(matchTotp(secret, garbage, now)).toBeUndefined();
  });

  it("builds the key URI authenticator apps read: issuer Fleet, the user's email, SHA1, 6 digits, 30 s", () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits
    const parsed = URI.parse(totpFor(secret, 'ann@example.test').toString());
    expect(parsed).toBeInstanceOf(TOTP);
    expect(parsed).toMatchObject({
      issuer: 'Fleet',
      label: 'ann@example.test',
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    expect(parsed.secret.base32).toBe(secret);
  });

  it('draws the URI as an SVG QR code in a data URL', async () => {
    const url = await qrCodeDataUrl('otpauth://totp/Fleet:a%40b?secret=JBSWY3DPEHPK3PXP&issuer=Fleet');
    expect(url).toMatch(/^data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+$/);
    const svg = Buffer.from(url.split(',')[1] ?? '', 'base64').toString('utf8');
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/);
    expect(svg).toContain('<path');
  });
});

describe('sealed secrets', () => {
  const owner = {
    orgId: '00000000-0000-4000-8000-000000000001',
    userId: '00000000-0000-4000-8000-000000000002',
  };
  const cipher = new SecretCipher(
    new TextEncoder().encode('the signing key of this install'),
    MFA_TOTP_SECRET,
  );

  it('open with the same key and owner only; the box holds no plaintext', () => {
    const secret = newTotpSecret();
    const box = cipher.seal(secret, owner);
    expect(cipher.open(box, owner)).toBe(secret);
    expect(box.toString('latin1')).not.toContain(secret);
    expect(box.length).toBe(1 + 12 + 16 + secret.length);
    // Sealing twice gives different boxes (a fresh IV each time).
    expect(cipher.seal(secret, owner).equals(box)).toBe(false);
    const otherKey = new SecretCipher(new TextEncoder().encode('another install'), MFA_TOTP_SECRET);
    expect(() => otherKey.open(box, owner)).toThrow();
    expect(() => cipher.open(box, { ...owner, userId: owner.orgId })).toThrow();
  });

  it('refuse every changed byte and any garbage', () => {
    const { seed, runs } = fuzzParameters('MFA sealed secrets', 200);
    const box = cipher.seal(newTotpSecret(), owner);
    fc.assert(
      fc.property(fc.nat({ max: box.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const changed = Buffer.from(box);
        changed[at] = (changed[at] ?? 0) ^ flip;
        expect(() => cipher.open(changed, owner)).toThrow();
      }),
      { seed, numRuns: runs },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        expect(() => cipher.open(bytes, owner)).toThrow();
      }),
      { seed, numRuns: runs },
    );
  });
});

describe('recovery codes', () => {
  it('are 80 random bits in four groups, read back in any case and with or without dashes', () => {
    const codes = Array.from({ length: 200 }, newRecoveryCode);
    expect(new Set(codes).size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    const code = codes[0] ?? '';
    const plain = code.replaceAll('-', '');
    expect(normaliseRecoveryCode(code.toUpperCase())).toBe(plain);
    expect(normaliseRecoveryCode(` ${plain} `)).toBe(plain);
    for (const bad of ['', plain.slice(1), `${plain}a`, plain.replace(/.$/, '1'), plain.replace(/.$/, '!')])
      expect(normaliseRecoveryCode(bad)).toBeUndefined();
    expect(hashRecoveryCode(plain)).toBe(createHash('sha256').update(plain).digest('hex'));
  });
});
