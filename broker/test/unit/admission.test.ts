import { describe, expect, it } from 'vitest';
import { addressKey, ConnectAdmission } from '../../src/admission.ts';

const LIMITS = {
  connectRate: 10,
  connectBurst: 3,
  authFailRate: 1,
  authFailBurst: 2,
  authFailGlobalRate: 5,
  authFailGlobalBurst: 5,
};

function setup(maxAddresses?: number) {
  let t = 1_000_000;
  const clock = {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
  return { admission: new ConnectAdmission(LIMITS, clock.now, maxAddresses), clock };
}

describe('ConnectAdmission', () => {
  it('an address over its failure burst is gated; others stay open', () => {
    const { admission } = setup();
    expect(admission.gate('10.0.0.1')).toBe('open');
    admission.failed('10.0.0.1');
    expect(admission.gate('10.0.0.1')).toBe('open');
    admission.failed('10.0.0.1');
    expect(admission.gate('10.0.0.1')).toBe('address_failures');
    expect(admission.gate('10.0.0.2')).toBe('open');
  });

  it('the failure budget of an address refills at its rate', () => {
    const { admission, clock } = setup();
    admission.failed('10.0.0.1');
    admission.failed('10.0.0.1');
    clock.advance(999);
    expect(admission.gate('10.0.0.1')).toBe('address_failures');
    clock.advance(1);
    expect(admission.gate('10.0.0.1')).toBe('open');
  });

  it('failures from many addresses gate everyone once the global budget is spent', () => {
    const { admission, clock } = setup();
    for (let i = 1; i <= 5; i++) admission.failed(`10.0.0.${i}`);
    expect(admission.gate('10.9.9.9')).toBe('global_failures');
    clock.advance(200); // 5/s: one failure's worth back
    expect(admission.gate('10.9.9.9')).toBe('open');
  });

  it('the connect budget is peeked before and taken after authentication', () => {
    const { admission, clock } = setup();
    expect(admission.connectBudgetLeft()).toBe(true);
    expect(admission.connectBudgetLeft()).toBe(true); // peeking takes nothing
    expect([admission.takeConnect(), admission.takeConnect(), admission.takeConnect()]).toEqual([
      true,
      true,
      true,
    ]);
    expect(admission.connectBudgetLeft()).toBe(false);
    expect(admission.takeConnect()).toBe(false);
    clock.advance(100);
    expect(admission.takeConnect()).toBe(true);
  });

  it('failures never spend the connect budget', () => {
    const { admission } = setup();
    for (let i = 0; i < 100; i++) admission.failed(`10.0.${i}.1`);
    expect(admission.connectBudgetLeft()).toBe(true);
  });

  it('stays bounded: full buckets are forgotten, then the oldest busy ones', () => {
    const { admission, clock } = setup(100);
    for (let i = 0; i < 100; i++) admission.failed(`10.0.${i}.1`);
    expect(admission.trackedAddresses).toBe(100);
    clock.advance(2000); // every bucket full again
    admission.failed('10.1.0.1');
    expect(admission.trackedAddresses).toBe(1);
    for (let i = 0; i < 500; i++) admission.failed(`10.2.${i % 250}.${i}`);
    expect(admission.trackedAddresses).toBeLessThanOrEqual(100);
  });
});

describe('addressKey', () => {
  it.each([
    ['10.1.2.3', '10.1.2.3'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::FFFF:10.1.2.3', '10.1.2.3'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    [undefined, '?'],
    ['', '?'],
  ])('%s -> %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});
