// Invalid topic filters and topic names, screened as packets leave the parser and before aedes
// sees them. aedes 1.x checks every filter of a SUBSCRIBE (lib/handlers/subscribe.js,
// `authorize` -> validateTopic) and every filter of an UNSUBSCRIBE before any hook runs, and an
// invalid one closes the whole connection; MQTT 3.1.1 answers a filter the server will not take
// with the SUBACK return code 0x80 (3.9.3), which is what README promises. So here:
//
// - SUBSCRIBE: an invalid filter is swapped for a placeholder that aedes accepts, and the
//   original is remembered; authorizeSubscribe refuses it (0x80) by its original text, and the
//   other filters of the packet are answered as usual.
// - UNSUBSCRIBE: an invalid filter cannot match a subscription, so it is dropped; the UNSUBACK
//   (which has no per-filter codes in 3.1.1) follows as usual.
// - PUBLISH: a topic name aedes would refuse before authorizePublish (empty, wildcards, too many
//   levels) is swapped for a placeholder too, so that the refusal happens in authorizePublish by
//   the original topic, counted with its reason like every other refused publish.
//
// The placeholders start with '$', never match a subscription and are never stored.

/** aedes' default and hard ceiling of topic levels (aedes.js MAX_TOPIC_LEVELS). */
export const MAX_TOPIC_LEVELS = 100;

const PLACEHOLDER = '$fleet/invalid';

/** A valid MQTT 3.1.1 topic filter (4.7.1, 4.7.3) within aedes' level limit. */
export function validTopicFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes('\u0000')) return false;
  const levels = filter.split('/');
  if (levels.length > MAX_TOPIC_LEVELS) return false;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as string;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return false;
    if (level.includes('+') && level !== '+') return false;
  }
  return true;
}

/** A topic name aedes lets through to authorizePublish (lib/handlers/publish.js). */
export function acceptedTopicName(topic: string): boolean {
  return (
    topic.length > 0 &&
    !topic.includes('#') &&
    !topic.includes('+') &&
    topic.split('/').length <= MAX_TOPIC_LEVELS
  );
}

/** Packet fields this module reads and rewrites (mqtt-packet's parsed packets). */
interface ParsedPacket {
  cmd?: string;
  topic?: unknown;
  subscriptions?: { topic?: unknown }[];
  unsubscriptions?: unknown[];
}

/**
 * Remembers the original topic of each rewritten subscription or publish packet. The broker's
 * hooks ask it with the object aedes hands them (the same object the parser made).
 */
export class TopicScreen {
  readonly #originals = new WeakMap<object, string>();

  /** The topic a hook must judge: the original of a rewritten one, else the one given. */
  original(packetOrSubscription: object, topic: string): string {
    return this.#originals.get(packetOrSubscription) ?? topic;
  }

  /** Was this subscription or packet rewritten (its original is invalid)? */
  rewritten(packetOrSubscription: object): boolean {
    return this.#originals.has(packetOrSubscription);
  }

  /** Rewrites a packet just parsed, in place, before aedes handles it. */
  screen(packet: ParsedPacket): void {
    if (packet.cmd === 'subscribe' && Array.isArray(packet.subscriptions)) {
      packet.subscriptions.forEach((sub, i) => {
        if (typeof sub.topic === 'string' && validTopicFilter(sub.topic)) return;
        this.#originals.set(sub, String(sub.topic));
        sub.topic = `${PLACEHOLDER}/${i}`; // one per position: aedes merges equal filters
      });
    } else if (packet.cmd === 'unsubscribe' && Array.isArray(packet.unsubscriptions)) {
      packet.unsubscriptions = packet.unsubscriptions.filter(
        (filter) => typeof filter === 'string' && validTopicFilter(filter),
      );
    } else if (packet.cmd === 'publish' && typeof packet.topic === 'string') {
      if (acceptedTopicName(packet.topic)) return;
      this.#originals.set(packet, packet.topic);
      packet.topic = PLACEHOLDER;
    }
  }
}
