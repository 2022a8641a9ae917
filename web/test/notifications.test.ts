// The notification channels page's logic (lib/notifications/channels.ts): the form's defaults
// are the API's, the bodies it sends pass the API's own schemas, a change sends only what
// changed, the form's checks name their fields, and the delivery log reads in words.
import { describe, expect, it } from 'vitest';
import {
  channelChangesSchema,
  channelSchema,
  newChannelSchema,
} from '../../api/src/domains/notifications/schemas.ts';
import type { NotificationChannel } from '../src/lib/api/alerting.ts';
import {
  blankChannelForm,
  CHANNEL_FIELDS,
  channelChanges,
  channelForm,
  channelSummary,
  deliveryOutcome,
  emailList,
  newChannelBody,
  resendable,
} from '../src/lib/notifications/channels.ts';

const stored: NotificationChannel = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Ops hook',
  kind: 'webhook',
  enabled: true,
  url: 'https://hooks.example.test/fleet',
  emailTo: null,
  minSeverity: 'warning',
  kinds: [],
  events: ['opened'],
  notifyLate: true,
  groupWindowS: 0,
  createdAt: '2026-11-21T00:00:00.000Z',
  updatedAt: '2026-11-21T00:00:00.000Z',
};

describe('a channel’s form', () => {
  it('starts with the API’s defaults', () => {
    const form = { ...blankChannelForm('webhook'), name: 'Hook', url: 'https://x.example.test/h' };
    const body = newChannelBody(form);
    expect(body.ok).toBe(true);
    if (!body.ok) return;
    // What the API would fill in is what the form sends.
    expect(
      newChannelSchema.parse({ kind: 'webhook', name: 'Hook', url: 'https://x.example.test/h' }),
    ).toEqual(body.body);
    expect(newChannelSchema.safeParse(body.body).success).toBe(true);
    expect(channelSchema.safeParse(stored).success).toBe(true);
  });

  it('sends an email channel’s addresses as a list, however they were typed', () => {
    expect(emailList('a@example.test, b@example.test;c@example.test\nd@example.test ')).toEqual([
      'a@example.test',
      'b@example.test',
      'c@example.test',
      'd@example.test',
    ]);
    const body = newChannelBody({
      ...blankChannelForm('email'),
      name: 'Mail',
      emailTo: 'a@example.test b@example.test',
      events: ['resolved', 'opened'],
      groupWindowS: '60',
    });
    expect(body).toEqual({
      ok: true,
      body: {
        kind: 'email',
        name: 'Mail',
        emailTo: ['a@example.test', 'b@example.test'],
        enabled: true,
        minSeverity: 'warning',
        kinds: [],
        events: ['opened', 'resolved'],
        notifyLate: true,
        groupWindowS: 60,
      },
    });
    expect(body.ok && newChannelSchema.safeParse(body.body).success).toBe(true);
  });

  it('names what it can tell is wrong at its field', () => {
    const body = newChannelBody({ ...blankChannelForm('email'), name: '', events: [], groupWindowS: '9999' });
    expect(body).toEqual({
      ok: false,
      problems: {
        name: 'a name is 1..100 characters',
        emailTo: '1..20 addresses',
        groupWindowS: '0..3600 s',
        events: 'at least one event: opened, resolved or both',
      },
    });
    expect(newChannelBody({ ...blankChannelForm('webhook'), name: 'x' })).toEqual({
      ok: false,
      problems: { url: 'the URL the alerts are POSTed to' },
    });
    for (const field of Object.keys(body.ok ? {} : body.problems)) expect(CHANNEL_FIELDS).toContain(field);
  });

  it('sends only what changed, and that passes the API’s schema', () => {
    const form = channelForm(stored);
    expect(channelChanges(form, stored)).toEqual({ ok: true, body: {} });
    const changed = channelChanges(
      {
        ...form,
        minSeverity: 'critical',
        kinds: ['overspeed'],
        events: ['opened', 'resolved'],
        groupWindowS: '30',
        url: stored.url ?? '',
      },
      stored,
    );
    expect(changed).toEqual({
      ok: true,
      body: {
        minSeverity: 'critical',
        kinds: ['overspeed'],
        events: ['opened', 'resolved'],
        groupWindowS: 30,
      },
    });
    expect(changed.ok && channelChangesSchema.safeParse(changed.body).success).toBe(true);
  });
});

describe('the delivery log in words', () => {
  it('says how each attempt went, and which can be sent again', () => {
    expect(deliveryOutcome({ delivered: true, statusCode: 204, error: null, durationMs: 12 })).toBe(
      '204 in 12 ms',
    );
    expect(deliveryOutcome({ delivered: false, statusCode: 500, error: null, durationMs: 3 })).toBe(
      'refused: 500',
    );
    expect(
      deliveryOutcome({ delivered: false, statusCode: null, error: 'connect ECONNREFUSED', durationMs: 3 }),
    ).toBe('failed: connect ECONNREFUSED');
    expect(
      ['pending', 'sending', 'delivered', 'dead', 'skipped'].filter((state) =>
        resendable({ state: state as 'dead' }),
      ),
    ).toEqual(['delivered', 'dead']);
    expect(
      channelSummary({ ...stored, kinds: ['overspeed'], groupWindowS: 60, notifyLate: false }, (k) =>
        k.toUpperCase(),
      ),
    ).toBe('Warning and above · OVERSPEED · opened · not late ones · grouped 60 s');
  });
});
