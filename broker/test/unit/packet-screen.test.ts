import { describe, expect, it } from 'vitest';
import { acceptedTopicName, TopicScreen, validTopicFilter } from '../../src/packet-screen.ts';

describe('validTopicFilter (MQTT 3.1.1, 4.7)', () => {
  it.each([
    ['devices/a/commands', true],
    ['#', true],
    ['+', true],
    ['a/#', true],
    ['/#', true],
    ['+/+', true],
    ['a/+/b', true],
    ['+/#', true],
    ['/', true],
    ['a//b', true],
    ['$SYS/#', true],
    ['ünïcødé/✓', true],
    ['', false],
    ['a/#/b', false],
    ['#a', false],
    ['a#', false],
    ['a/b#', false],
    ['##', false],
    ['+x', false],
    ['x+', false],
    ['a/+b/c', false],
    ['a\u0000b', false],
    ['/'.repeat(99), true], // 100 levels
    ['/'.repeat(100), false], // 101 levels: over aedes' limit
  ])('%j -> %s', (filter, valid) => {
    expect(validTopicFilter(filter)).toBe(valid);
  });
});

describe('acceptedTopicName (what aedes lets reach authorizePublish)', () => {
  it.each([
    ['devices/a/telemetry', true],
    ['a\u0000b', true], // aedes takes it; the ACL refuses it
    ['', false],
    ['a/#', false],
    ['a/+', false],
    ['/'.repeat(100), false],
  ])('%j -> %s', (topic, accepted) => {
    expect(acceptedTopicName(topic)).toBe(accepted);
  });
});

describe('TopicScreen', () => {
  it('swaps each invalid filter of a SUBSCRIBE for a distinct placeholder and remembers it', () => {
    const screen = new TopicScreen();
    const subs = [{ topic: 'a/#/b' }, { topic: 'devices/x/commands' }, { topic: '' }, { topic: '+x' }];
    screen.screen({ cmd: 'subscribe', subscriptions: subs });
    expect(subs[1]?.topic).toBe('devices/x/commands');
    expect(new Set([subs[0]?.topic, subs[2]?.topic, subs[3]?.topic]).size).toBe(3);
    for (const [i, original] of [
      [0, 'a/#/b'],
      [2, ''],
      [3, '+x'],
    ] as const) {
      const sub = subs[i] as { topic: string };
      expect(validTopicFilter(sub.topic)).toBe(true); // aedes accepts it
      expect(sub.topic.startsWith('$')).toBe(true); // never matches a device topic
      expect(screen.rewritten(sub)).toBe(true);
      expect(screen.original(sub, sub.topic)).toBe(original);
    }
    expect(screen.rewritten(subs[1] as object)).toBe(false);
  });

  it('drops invalid filters of an UNSUBSCRIBE', () => {
    const packet = { cmd: 'unsubscribe', unsubscriptions: ['a/#/b', 'ok', '', 'x\u0000'] };
    new TopicScreen().screen(packet);
    expect(packet.unsubscriptions).toEqual(['ok']);
  });

  it('swaps a PUBLISH topic aedes would refuse unseen, keeping the original for the ACL', () => {
    const screen = new TopicScreen();
    const bad = { cmd: 'publish', topic: 'a/#' };
    const good = { cmd: 'publish', topic: 'devices/x/telemetry' };
    screen.screen(bad);
    screen.screen(good);
    expect(acceptedTopicName(bad.topic)).toBe(true);
    expect(screen.original(bad, bad.topic)).toBe('a/#');
    expect(good.topic).toBe('devices/x/telemetry');
    expect(screen.rewritten(good)).toBe(false);
  });

  it('leaves other packets alone', () => {
    const packet = { cmd: 'pingreq' };
    new TopicScreen().screen(packet);
    expect(packet).toEqual({ cmd: 'pingreq' });
  });
});
