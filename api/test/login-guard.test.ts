import { describe, expect, it } from 'vitest';
import { LoginGuard } from '../src/auth/login-guard.ts';

describe('LoginGuard', () => {
  const limits = { maxPerAccount: 3, maxPerAddress: 5, windowMs: 60_000 };

  it('blocks an account after its failures, until the oldest leaves the window', () => {
    let now = 0;
    const guard = new LoginGuard(limits, () => now);
    for (let i = 0; i < 3; i++) {
      expect(guard.retryAfterMs('a@x', '1.1.1.1')).toBe(0);
      guard.recordFailure('a@x', '1.1.1.1');
      now += 1000;
    }
    expect(guard.retryAfterMs('a@x', '2.2.2.2')).toBe(57_000);
    now = 60_001;
    expect(guard.retryAfterMs('a@x', '2.2.2.2')).toBe(0);
  });

  it('blocks an address spraying many accounts', () => {
    const guard = new LoginGuard(limits, () => 0);
    for (let i = 0; i < 5; i++) guard.recordFailure(`user${i}@x`, '9.9.9.9');
    expect(guard.retryAfterMs('fresh@x', '9.9.9.9')).toBeGreaterThan(0);
    expect(guard.retryAfterMs('fresh@x', '8.8.8.8')).toBe(0);
  });

  it('a success clears the account but not the address', () => {
    const guard = new LoginGuard(limits, () => 0);
    for (let i = 0; i < 3; i++) guard.recordFailure('a@x', '1.1.1.1');
    guard.recordSuccess('a@x');
    expect(guard.retryAfterMs('a@x', '3.3.3.3')).toBe(0);
    guard.recordFailure('b@x', '1.1.1.1');
    guard.recordFailure('c@x', '1.1.1.1');
    expect(guard.retryAfterMs('d@x', '1.1.1.1')).toBeGreaterThan(0);
  });
});
