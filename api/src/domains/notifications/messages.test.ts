// What notifications say and how they are secured, without a server: email subjects, bodies and
// escaping, late alerts, the webhook body, the retry schedule, the webhook URL check, the
// signature (checked with the function docs/notifications.md gives receivers) and the sealing
// of secrets (a key per purpose, a box bound to its channel).
import type { AlertRecord } from '@fleet/shared';
import { describe, expect, it } from 'vitest';
import { MFA_TOTP_SECRET, SecretCipher } from '../mfa/crypto.ts';
import {
  assetLabel,
  EMAIL_MAX_LISTED,
  emailMessage,
  emailSubject,
  escapeHtml,
  formatTime,
  type NotificationContent,
  type NotifiedAlert,
  webhookBody,
} from './messages.ts';
import { FIRST_RETRY_MS, MAX_RETRY_MS, retryDelayMs } from './retry.ts';
import { webhookUrlProblem } from './schemas.ts';
import { channelSecretCipher, newWebhookSecret, webhookSignature } from './signing.ts';
import { documentedVerifier } from './test-servers.ts';

function alert(overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id: '7d4f2a3e-1b2c-4d5e-8f90-123456789abc',
    orgId: '00000000-0000-4000-8000-000000000001',
    ruleId: null,
    ruleName: 'Motorway speed',
    kind: 'overspeed',
    severity: 'critical',
    state: 'open',
    active: true,
    title: 'Speeding over 90 km/h',
    deviceId: 'trk-001',
    assetId: '00000000-0000-4000-8000-000000000002',
    placeId: null,
    startedAt: '2026-11-21T12:03:05.000Z',
    endedAt: null,
    raisedAt: '2026-11-21T12:03:40.000Z',
    late: false,
    lat: 60.1699,
    lon: 24.9384,
    details: { peakKmh: 112, limitKmh: 90 },
    suppressedBy: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    assigneeId: null,
    updatedAt: '2026-11-21T12:03:40.000Z',
    ...overrides,
  };
}

const van = (record: AlertRecord): NotifiedAlert => ({ record, assetLabel: 'Van ABC-123' });

function content(
  alerts: NotifiedAlert[],
  type: NotificationContent['type'] = 'alert.opened',
): NotificationContent {
  return {
    type,
    alerts,
    timeZone: 'Europe/Helsinki',
    consoleUrl: 'https://fleet.example.com/',
    channelName: 'Ops <night>',
  };
}

describe('emails', () => {
  it('name severity, title and asset in the subject; a group by count and kind', () => {
    expect(emailSubject(content([van(alert())]))).toBe('[critical] Speeding over 90 km/h — Van ABC-123');
    expect(emailSubject(content([van(alert({ severity: 'warning' }))], 'alert.resolved'))).toBe(
      '[warning] Resolved: Speeding over 90 km/h — Van ABC-123',
    );
    // A title that names the asset already is not repeated.
    const named = { record: alert({ title: 'Van ABC-123 left behind' }), assetLabel: 'Van ABC-123' };
    expect(emailSubject(content([named]))).toBe('[critical] Van ABC-123 left behind');
    const offline = Array.from({ length: 70 }, (_, i) =>
      van(
        alert({ id: `id-${i}`, kind: 'offline', severity: i === 3 ? 'warning' : 'info', title: 'No data' }),
      ),
    );
    expect(emailSubject(content(offline))).toBe('[warning] 70 alerts: No data (offline)');
    expect(emailSubject(content(offline, 'alert.resolved'))).toBe(
      '[warning] 70 alerts resolved: No data (offline)',
    );
    expect(emailSubject(content([], 'test'))).toBe('[test] Test notification from Fleet — Ops <night>');
    // No header injection through a title.
    const sneaky = emailSubject(content([van(alert({ title: 'a\r\nBcc: victim@example.com' }))]));
    expect(sneaky).not.toMatch(/[\r\n]/);
  });

  it('carry the facts, local times and the link in text and HTML, escaped in HTML', () => {
    const hostile = alert({
      title: '<script>alert(1)</script> & "quotes"',
      details: { code: '<b>P0420</b>' },
    });
    const message = emailMessage(content([van(hostile)]));
    expect(message.text).toContain('<script>alert(1)</script> & "quotes" — Van ABC-123');
    expect(message.text).toContain('Severity: critical · Speeding · rule "Motorway speed"');
    expect(message.text).toContain('Asset: Van ABC-123 (device trk-001)');
    // 12:03:05 UTC is 14:03:05 in Helsinki in November (EET).
    expect(message.text).toContain('Started: 2026-11-21 14:03:05 (Europe/Helsinki)');
    expect(message.text).toContain('Where: 60.16990, 24.93840');
    expect(message.text).toContain('Details: code: <b>P0420</b>');
    expect(message.text).toContain(
      'Open in the console: https://fleet.example.com/alerts/7d4f2a3e-1b2c-4d5e-8f90-123456789abc',
    );
    expect(message.html).not.toContain('<script>');
    expect(message.html).not.toContain('<b>P0420');
    expect(message.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(message.html).toContain(
      'href="https://fleet.example.com/alerts/7d4f2a3e-1b2c-4d5e-8f90-123456789abc"',
    );
    expect(message.html).toContain('Ops &lt;night&gt;');
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('say when a late alert happened and when it was reported', () => {
    const late = alert({
      late: true,
      startedAt: '2026-11-21T09:00:00.000Z',
      raisedAt: '2026-11-21T10:30:15.000Z',
    });
    const { text, html } = emailMessage(content([van(late)]));
    const line =
      'From buffered records: happened at 2026-11-21 11:00:00 (Europe/Helsinki), reported at 2026-11-21 12:30:15 (Europe/Helsinki)';
    expect(text).toContain(line);
    expect(text).not.toContain('Started:');
    expect(html).toContain(line);
  });

  it('list at most 100 alerts of a group and link to the rest', () => {
    const many = Array.from({ length: EMAIL_MAX_LISTED + 5 }, (_, i) =>
      van(alert({ id: `a-${i}`, kind: 'power_cut', title: `Power cut ${i}` })),
    );
    const { text } = emailMessage(content(many));
    expect(text).toContain('105 alerts were raised together.');
    expect(text).toContain('Power cut 99');
    expect(text).not.toContain('Power cut 100');
    expect(text).toContain('… and 5 more: https://fleet.example.com/alerts?kind=power_cut');
  });

  it('show times in UTC when the zone is unknown, and label assets with their plate once', () => {
    expect(formatTime('2026-11-21T12:03:05.000Z', 'Not/AZone')).toBe('2026-11-21 12:03:05 (UTC)');
    expect(assetLabel('Van', 'ABC-123')).toBe('Van ABC-123');
    expect(assetLabel('Van ABC-123', 'ABC-123')).toBe('Van ABC-123');
    expect(assetLabel('Generator 4', null)).toBe('Generator 4');
    expect(assetLabel(null, null)).toBeNull();
  });
});

describe('webhooks', () => {
  it('carry {id, type, sentAt, alerts} with the alerts as the API answers them', () => {
    const a = alert();
    const body = JSON.parse(webhookBody('req-1', content([van(a)]), new Date('2026-11-21T12:04:00Z')));
    expect(body).toEqual({
      id: 'req-1',
      type: 'alert.opened',
      sentAt: '2026-11-21T12:04:00.000Z',
      alerts: [a],
    });
  });

  it("are signed so that the documentation's check accepts them, and only them", async () => {
    const verify = await documentedVerifier();
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const body = webhookBody('req-2', content([van(alert())]), new Date());
    const ts = 1_795_356_185;
    const headers = {
      'x-fleet-timestamp': String(ts),
      'x-fleet-signature': webhookSignature(secret, ts, body),
    };
    expect(headers['x-fleet-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verify(secret, headers, body, ts)).toBe(true);
    expect(verify(secret, headers, Buffer.from(body), ts + 299)).toBe(true);
    // Older than 5 minutes (a replay), a changed body, another secret, a moved timestamp.
    expect(verify(secret, headers, body, ts + 301)).toBe(false);
    expect(verify(secret, headers, body.replace('critical', 'info'), ts)).toBe(false);
    expect(verify(newWebhookSecret(), headers, body, ts)).toBe(false);
    expect(verify(secret, { ...headers, 'x-fleet-timestamp': String(ts + 1) }, body, ts)).toBe(false);
    expect(verify(secret, { 'x-fleet-signature': headers['x-fleet-signature'] }, body, ts)).toBe(false);
    expect(verify(secret, { ...headers, 'x-fleet-signature': 'v1=00' }, body, ts)).toBe(false);
  });

  it('go only to http(s) URLs without credentials, at most 2000 characters', () => {
    const cases: [string, RegExp | undefined][] = [
      ['https://hooks.example.com/fleet?team=ops', undefined],
      ['http://10.0.0.5:8080/hook', undefined],
      ['HTTPS://EXAMPLE.COM/x', undefined],
      ['ftp://example.com/x', /https:\/\/ or http:\/\//],
      ['javascript:alert(1)', /https:\/\/ or http:\/\//],
      ['https://user:pass@example.com/x', /no user name or password/],
      ['https://token@example.com/x', /no user name or password/],
      ['https://exa mple.com/', /no spaces/],
      ['https://', /not a URL|no host/],
      [`https://example.com/${'a'.repeat(2000)}`, /at most 2000/],
    ];
    for (const [url, problem] of cases) {
      const found = webhookUrlProblem(url);
      if (problem === undefined) expect(found, url).toBeUndefined();
      else expect(found, url).toMatch(problem);
    }
  });
});

describe('retries', () => {
  it('wait 30 s, doubling, at most an hour, shortened by at most a quarter at random', () => {
    const full = () => 0;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 40].map((n) => retryDelayMs(n, full))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
    for (let attempt = 1; attempt < 12; attempt++) {
      const step = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1));
      expect(retryDelayMs(attempt, () => 0.999_999)).toBeGreaterThanOrEqual(step * 0.75);
      expect(retryDelayMs(attempt, Math.random)).toBeLessThanOrEqual(step);
    }
  });
});

describe('webhook secrets at rest', () => {
  it('open for their own channel only, and never under the MFA key of the same install', () => {
    const signingKey = new TextEncoder().encode('the signing key of this install');
    const cipher = channelSecretCipher(signingKey);
    const owner = {
      orgId: '00000000-0000-4000-8000-000000000001',
      channelId: '00000000-0000-4000-8000-000000000003',
    };
    const secret = newWebhookSecret();
    const box = cipher.seal(secret, owner);
    expect(cipher.open(box, owner)).toBe(secret);
    expect(box.toString('latin1')).not.toContain(secret);
    expect(() => cipher.open(box, { ...owner, channelId: owner.orgId })).toThrow();
    const mfa = new SecretCipher(signingKey, MFA_TOTP_SECRET);
    expect(() => mfa.open(box, { orgId: owner.orgId, userId: owner.channelId })).toThrow();
    expect(() => channelSecretCipher(new TextEncoder().encode('another install')).open(box, owner)).toThrow();
  });
});
