// Per-device topic rules (DESIGN.md, Devices): a device publishes only its own telemetry and
// events and subscribes only to its own commands. Exact topics only: no wildcards, no $SYS,
// no other device id. Pure functions, tested as a table of cases.
export const MAX_TOPIC_LENGTH = 256;

export type PublishKind = 'telemetry' | 'events';
export type AclRefusal =
  | 'topic_empty'
  | 'topic_too_long'
  | 'topic_wildcard'
  | 'topic_sys'
  | 'topic_other_device'
  | 'topic_not_allowed';

export type AclDecision<K> = { ok: true; kind: K } | { ok: false; reason: AclRefusal };

export function topicFor(deviceId: string, kind: 'telemetry' | 'events' | 'status' | 'commands'): string {
  return `devices/${deviceId}/${kind}`;
}

function screen(topic: string): AclRefusal | undefined {
  if (topic.length === 0) return 'topic_empty';
  if (topic.length > MAX_TOPIC_LENGTH) return 'topic_too_long';
  if (topic.includes('+') || topic.includes('#')) return 'topic_wildcard';
  if (topic.startsWith('$')) return 'topic_sys';
  return undefined;
}

function decide<K extends string>(deviceId: string, topic: string, allowed: readonly K[]): AclDecision<K> {
  const refused = screen(topic);
  if (refused) return { ok: false, reason: refused };
  const parts = topic.split('/');
  if (parts.length !== 3 || parts[0] !== 'devices') return { ok: false, reason: 'topic_not_allowed' };
  if (parts[1] !== deviceId) return { ok: false, reason: 'topic_other_device' };
  const kind = parts[2] as K;
  return allowed.includes(kind) ? { ok: true, kind } : { ok: false, reason: 'topic_not_allowed' };
}

export function authorizeDevicePublish(deviceId: string, topic: string): AclDecision<PublishKind> {
  return decide(deviceId, topic, ['telemetry', 'events'] as const);
}

export function authorizeDeviceSubscribe(deviceId: string, topic: string): AclDecision<'commands'> {
  return decide(deviceId, topic, ['commands'] as const);
}
