// A webhook channel's secret and the signature of each request (docs/notifications.md tells
// receivers how to check it). The secret is 32 random bytes as base64url, shown once; the database
// keeps it sealed (AES-256-GCM, mfa/crypto.ts) under a key of this purpose, bound to its channel.
import { createHmac, randomBytes } from 'node:crypto';
import { type SealPurpose, SecretCipher } from '../mfa/crypto.ts';

export interface ChannelSecretOwner {
  orgId: string;
  channelId: string;
}

/** These values are fixed: stored boxes depend on them. */
export const WEBHOOK_SECRET: SealPurpose<ChannelSecretOwner> = {
  salt: 'fleet-notifications',
  info: 'webhook-secret-v1',
  what: 'webhook secret',
  aad: (owner) => `notification_channels:${owner.orgId}:${owner.channelId}`,
};

export type ChannelSecretCipher = SecretCipher<ChannelSecretOwner>;

export function channelSecretCipher(signingKey: Uint8Array): ChannelSecretCipher {
  return new SecretCipher(signingKey, WEBHOOK_SECRET);
}

export function newWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * `v1=<hex HMAC-SHA256>` over `<timestamp>.<raw body>`, keyed with the secret as it was shown
 * (its UTF-8 text). The timestamp is in the signed text, so an old request cannot be replayed
 * with a new timestamp header.
 */
export function webhookSignature(secret: string, timestampS: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}
