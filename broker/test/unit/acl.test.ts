import { describe, expect, it } from 'vitest';
import {
  type AclRefusal,
  authorizeDevicePublish,
  authorizeDeviceSubscribe,
  MAX_TOPIC_LENGTH,
  topicFor,
} from '../../src/acl.ts';

const ME = 'dev-123';

type Expect = { ok: true; kind: string } | AclRefusal;

const PUBLISH_CASES: [string, string, Expect][] = [
  ['own telemetry', `devices/${ME}/telemetry`, { ok: true, kind: 'telemetry' }],
  ['own events', `devices/${ME}/events`, { ok: true, kind: 'events' }],
  ['own status (the broker publishes it)', `devices/${ME}/status`, 'topic_not_allowed'],
  ['own commands (the platform publishes them)', `devices/${ME}/commands`, 'topic_not_allowed'],
  ['unknown kind', `devices/${ME}/config`, 'topic_not_allowed'],
  ['other device telemetry', 'devices/dev-999/telemetry', 'topic_other_device'],
  ['other device events', 'devices/dev-999/events', 'topic_other_device'],
  ['id prefix of mine', 'devices/dev-12/telemetry', 'topic_other_device'],
  ['id with mine as prefix', `devices/${ME}4/telemetry`, 'topic_other_device'],
  ['id in another case', `devices/${ME.toUpperCase()}/telemetry`, 'topic_other_device'],
  ['+ for the device', 'devices/+/telemetry', 'topic_wildcard'],
  ['+ for the kind', `devices/${ME}/+`, 'topic_wildcard'],
  ['+ as the first level', `+/${ME}/telemetry`, 'topic_wildcard'],
  ['+ inside a level', `devices/${ME}/tele+metry`, 'topic_wildcard'],
  ['# at the end', `devices/${ME}/#`, 'topic_wildcard'],
  ['# alone', '#', 'topic_wildcard'],
  ['# in the middle', `devices/#/${ME}`, 'topic_wildcard'],
  ['# inside the id', `devices/${ME}#/telemetry`, 'topic_wildcard'],
  ['$SYS', '$SYS/broker/clients', 'topic_sys'],
  ['$ prefix with device topic', `$devices/${ME}/telemetry`, 'topic_sys'],
  ['empty', '', 'topic_empty'],
  ['one char over the limit', `devices/${ME}/telemetry/${'x'.repeat(256)}`.slice(0, 257), 'topic_too_long'],
  ['extra level', `devices/${ME}/telemetry/x`, 'topic_not_allowed'],
  ['trailing slash', `devices/${ME}/telemetry/`, 'topic_not_allowed'],
  ['leading slash', `/devices/${ME}/telemetry`, 'topic_not_allowed'],
  ['missing level', `devices/${ME}`, 'topic_not_allowed'],
  ['wrong root', `device/${ME}/telemetry`, 'topic_not_allowed'],
  ['double slash', `devices//${ME}/telemetry`, 'topic_not_allowed'],
  ['empty device id', 'devices//telemetry', 'topic_other_device'],
];

const SUBSCRIBE_CASES: [string, string, Expect][] = [
  ['own commands', `devices/${ME}/commands`, { ok: true, kind: 'commands' }],
  ['own telemetry', `devices/${ME}/telemetry`, 'topic_not_allowed'],
  ['own events', `devices/${ME}/events`, 'topic_not_allowed'],
  ['own status', `devices/${ME}/status`, 'topic_not_allowed'],
  ['other device commands', 'devices/dev-999/commands', 'topic_other_device'],
  ['all commands via +', 'devices/+/commands', 'topic_wildcard'],
  ['everything of mine via #', `devices/${ME}/#`, 'topic_wildcard'],
  ['everything', '#', 'topic_wildcard'],
  ['$SYS', '$SYS/#', 'topic_wildcard'],
  ['$SYS without wildcard', '$SYS/broker/uptime', 'topic_sys'],
  ['empty', '', 'topic_empty'],
  ['too long', 'c'.repeat(MAX_TOPIC_LENGTH + 1), 'topic_too_long'],
  ['extra level', `devices/${ME}/commands/x`, 'topic_not_allowed'],
  ['leading slash', `/devices/${ME}/commands`, 'topic_not_allowed'],
];

function expected(e: Expect) {
  return typeof e === 'string' ? { ok: false, reason: e } : e;
}

describe('authorizeDevicePublish', () => {
  it.each(PUBLISH_CASES)('%s: %s', (_label, topic, e) => {
    expect(authorizeDevicePublish(ME, topic)).toEqual(expected(e));
  });
});

describe('authorizeDeviceSubscribe', () => {
  it.each(SUBSCRIBE_CASES)('%s: %s', (_label, topic, e) => {
    expect(authorizeDeviceSubscribe(ME, topic)).toEqual(expected(e));
  });
});

describe('topic length limit', () => {
  it('accepts a topic of exactly MAX_TOPIC_LENGTH and refuses one more', () => {
    expect(MAX_TOPIC_LENGTH).toBe(256);
    const prefix = 'devices/';
    const suffix = '/telemetry';
    const longId = 'd'.repeat(MAX_TOPIC_LENGTH - prefix.length - suffix.length);
    const atLimit = `${prefix}${longId}${suffix}`;
    expect(atLimit).toHaveLength(256);
    expect(authorizeDevicePublish(longId, atLimit)).toEqual({ ok: true, kind: 'telemetry' });
    const over = `${prefix}${longId}x${suffix}`;
    expect(over).toHaveLength(257);
    expect(authorizeDevicePublish(`${longId}x`, over)).toEqual({ ok: false, reason: 'topic_too_long' });
  });
});

describe('topicFor', () => {
  it('builds the topics the ACL allows', () => {
    expect(topicFor(ME, 'telemetry')).toBe(`devices/${ME}/telemetry`);
    expect(authorizeDevicePublish(ME, topicFor(ME, 'telemetry')).ok).toBe(true);
    expect(authorizeDevicePublish(ME, topicFor(ME, 'events')).ok).toBe(true);
    expect(authorizeDeviceSubscribe(ME, topicFor(ME, 'commands')).ok).toBe(true);
    expect(authorizeDevicePublish(ME, topicFor(ME, 'status')).ok).toBe(false);
  });
});
