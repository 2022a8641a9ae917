import { describe, expect, it } from 'vitest';
import { DeviceCookies } from '../src/auth/device-cookies.ts';
import { LoginGuard } from '../src/auth/login-guard.ts';

const at = (account: string, address: string, deviceKey?: string) => ({ account, address, deviceKey });

describe('LoginGuard', () => {
  const limits = { maxPerAccount: 3, maxPerAddress: 5, windowMs: 60_000 };

  it('blocks an account for unknown browsers after its failures, until the oldest leaves the window', () => {
    let now = 0;
    const guard = new LoginGuard(limits, () => now);
    for (let i = 0; i < 3; i++) {
      expect(guard.retryAfterMs(at('a@x', '1.1.1.1'))).toBe(0);
      guard.recordFailure(at('a@x', '1.1.1.1'));
      now += 1000;
    }
    expect(guard.retryAfterMs(at('a@x', '2.2.2.2'))).toBe(57_000);
    now = 60_001;
    expect(guard.retryAfterMs(at('a@x', '2.2.2.2'))).toBe(0);
  });

  it('blocks an address spraying many accounts, for unknown browsers', () => {
    const guard = new LoginGuard(limits, () => 0);
    for (let i = 0; i < 5; i++) guard.recordFailure(at(`user${i}@x`, '9.9.9.9'));
    expect(guard.retryAfterMs(at('fresh@x', '9.9.9.9'))).toBeGreaterThan(0);
    expect(guard.retryAfterMs(at('fresh@x', '8.8.8.8'))).toBe(0);
  });

  it("an attacker's failures do not lock the real user out of a browser that signed in before", () => {
    const guard = new LoginGuard(limits, () => 0);
    // The attacker sits behind the same proxy (one address) and guesses the victim's password.
    for (let i = 0; i < 50; i++) guard.recordFailure(at('victim@x', '10.0.0.1'));
    expect(guard.retryAfterMs(at('victim@x', '10.0.0.1'))).toBeGreaterThan(0);
    expect(guard.retryAfterMs(at('colleague@x', '10.0.0.1'))).toBeGreaterThan(0);
    // The victim's own browser carries its device cookie: allowed.
    expect(guard.retryAfterMs(at('victim@x', '10.0.0.1', 'cookie-1'))).toBe(0);
  });

  it('a device cookie has its own limit, so a stolen one buys a few guesses only', () => {
    const guard = new LoginGuard(limits, () => 0);
    for (let i = 0; i < 3; i++) guard.recordFailure(at('a@x', '1.1.1.1', 'stolen'));
    expect(guard.retryAfterMs(at('a@x', '1.1.1.1', 'stolen'))).toBeGreaterThan(0);
    expect(guard.retryAfterMs(at('a@x', '1.1.1.1', 'another-browser'))).toBe(0);
    // ... and its failures count against the account for unknown browsers too.
    expect(guard.retryAfterMs(at('a@x', '3.3.3.3'))).toBeGreaterThan(0);
  });

  it('a success clears the account and the cookie but not the address', () => {
    const guard = new LoginGuard(limits, () => 0);
    for (let i = 0; i < 3; i++) guard.recordFailure(at('a@x', '1.1.1.1'));
    guard.recordSuccess(at('a@x', '1.1.1.1'));
    expect(guard.retryAfterMs(at('a@x', '3.3.3.3'))).toBe(0);
    guard.recordFailure(at('b@x', '1.1.1.1'));
    guard.recordFailure(at('c@x', '1.1.1.1'));
    expect(guard.retryAfterMs(at('d@x', '1.1.1.1'))).toBeGreaterThan(0);
  });
});

describe('DeviceCookies', () => {
  const cookies = new DeviceCookies(new TextEncoder().encode('k'.repeat(32)));

  it('verifies its own cookies for the user they name, and nothing else', () => {
    const value = cookies.issue('user-1');
    expect(cookies.verify(value, 'user-1')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(cookies.verify(value, 'user-2')).toBeUndefined();
    const [id, nonce, mac] = value.split('.');
    expect(cookies.verify(`${id}.${nonce}x.${mac}`, 'user-1')).toBeUndefined();
    expect(cookies.verify(`${id}.${nonce}.${mac}.x`, 'user-1')).toBeUndefined();
    expect(cookies.verify('', 'user-1')).toBeUndefined();
    expect(cookies.verify(undefined, 'user-1')).toBeUndefined();
    const other = new DeviceCookies(new TextEncoder().encode('o'.repeat(32)));
    expect(other.verify(value, 'user-1')).toBeUndefined();
  });
});
