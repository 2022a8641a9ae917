// Who may spend the broker's work on a CONNECT. Three budgets, so that a flood of bad CONNECTs
// cannot lock real devices out (with one budget charged before authentication, a flood of
// wrong-token CONNECTs emptied it and real devices got CONNACK 3):
//
// - failed authentications per source address (a small bucket): an address over it gets no
//   more registry look-ups; only a device the credential cache already knows gets in from it;
// - failed authentications of all addresses together (a bigger bucket), for floods spread over
//   many addresses: while it is empty, the same cache-only rule holds for every address;
// - successful connections, all devices together (MQTT_CONNECT_RATE): charged only when a
//   device has authenticated, and peeked before a look-up, so a reconnect storm of real
//   devices is still paced and an attacker with wrong credentials never spends it.
//
// Pure bookkeeping over an injected clock; tested as a table (test/unit/admission.test.ts).

import { KeyedTokenBuckets, TokenBucket } from '@fleet/shared';

export interface AdmissionLimits {
  connectRate: number;
  connectBurst: number;
  /** Failed authentications per second per source address, and the burst above that. */
  authFailRate: number;
  authFailBurst: number;
  /** Failed authentications per second from all addresses together, and the burst. */
  authFailGlobalRate: number;
  authFailGlobalBurst: number;
}

/** open: the registry may be asked; otherwise only the credential cache decides. */
export type AdmissionGate = 'open' | 'address_failures' | 'global_failures';

/**
 * The key an address is limited by: an IPv4 address as is (IPv4-mapped IPv6 too), an IPv6
 * address by its /64 (one subscriber line usually owns a whole /64, so per-address limits on
 * full IPv6 addresses would be no limit at all).
 */
export function addressKey(address: string | undefined): string {
  if (!address) return '?';
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && lower.includes('.')) return lower.slice(7);
  if (!lower.includes(':')) return lower;
  const [head = '', tail] = lower.split('::', 2);
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class ConnectAdmission {
  readonly #connects: TokenBucket;
  readonly #failuresGlobal: TokenBucket;
  // One failure bucket per address, forgetting addresses whose bucket is full again (what a new
  // one would be) and, when every address is busy, the oldest: memory stays bounded.
  readonly #failuresByAddress: KeyedTokenBuckets;

  constructor(limits: AdmissionLimits, now: () => number = Date.now, maxAddresses = 50_000) {
    this.#connects = new TokenBucket(limits.connectRate, limits.connectBurst, now);
    this.#failuresGlobal = new TokenBucket(limits.authFailGlobalRate, limits.authFailGlobalBurst, now);
    this.#failuresByAddress = new KeyedTokenBuckets(
      limits.authFailRate,
      limits.authFailBurst,
      now,
      maxAddresses,
    );
  }

  /** Before authentication: may this attempt ask the registry? Takes nothing. */
  gate(address: string | undefined): AdmissionGate {
    if (!this.#failuresByAddress.available(addressKey(address))) return 'address_failures';
    if (!this.#failuresGlobal.available()) return 'global_failures';
    return 'open';
  }

  /** Is a successful connection possible right now (checked before a look-up)? Takes nothing. */
  connectBudgetLeft(): boolean {
    return this.#connects.available();
  }

  /** A device authenticated: takes its connection from the connect budget (false: over it). */
  takeConnect(): boolean {
    return this.#connects.take();
  }

  /** An authentication failed: charged to its address and to the global failure budget. */
  failed(address: string | undefined): void {
    this.#failuresByAddress.take(addressKey(address));
    this.#failuresGlobal.take();
  }

  /** Addresses with failures still remembered (for tests and metrics). */
  get trackedAddresses(): number {
    return this.#failuresByAddress.size;
  }
}
