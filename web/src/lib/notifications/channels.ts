// The notification channels page's logic: a channel's form (a webhook's URL or an email list,
// and what it hears about: lowest severity, rule kinds, events, late alerts, a grouping window)
// to the API's bodies and back, the changes a PATCH carries, and the delivery log in words. The
// API checks the same (api/src/domains/notifications/schemas.ts); web/test/notifications.test.ts
// passes these bodies through its schemas.
import type { RuleKind } from '@fleet/shared/rules';
import {
  CHANNEL_EVENTS,
  CHANNEL_LIMITS,
  type ChannelChanges,
  type ChannelEvent,
  type ChannelKind,
  type Delivery,
  type NewChannel,
  type NotificationChannel,
  type OutboxEntry,
  type Severity,
} from '../api/alerting.ts';

export interface ChannelForm {
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  url: string;
  /** Addresses as typed: commas, semicolons, spaces or lines between them. */
  emailTo: string;
  minSeverity: Severity;
  kinds: RuleKind[];
  events: ChannelEvent[];
  notifyLate: boolean;
  /** Seconds, as typed. */
  groupWindowS: string;
}

export type ChannelField =
  | 'name'
  | 'url'
  | 'emailTo'
  | 'minSeverity'
  | 'kinds'
  | 'events'
  | 'notifyLate'
  | 'groupWindowS'
  | 'enabled'
  | 'kind';
export const CHANNEL_FIELDS: readonly ChannelField[] = [
  'name',
  'url',
  'emailTo',
  'minSeverity',
  'kinds',
  'events',
  'notifyLate',
  'groupWindowS',
  'enabled',
  'kind',
];

/** The API's defaults for a new channel. */
export function blankChannelForm(kind: ChannelKind = 'webhook'): ChannelForm {
  return {
    kind,
    name: '',
    enabled: true,
    url: '',
    emailTo: '',
    minSeverity: 'warning',
    kinds: [],
    events: ['opened'],
    notifyLate: true,
    groupWindowS: '0',
  };
}

export function channelForm(c: NotificationChannel): ChannelForm {
  return {
    kind: c.kind,
    name: c.name,
    enabled: c.enabled,
    url: c.url ?? '',
    emailTo: (c.emailTo ?? []).join(', '),
    minSeverity: c.minSeverity,
    kinds: [...c.kinds],
    events: [...c.events],
    notifyLate: c.notifyLate,
    groupWindowS: String(c.groupWindowS),
  };
}

export function emailList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export type ChannelBody<B> =
  | { ok: true; body: B }
  | { ok: false; problems: Partial<Record<ChannelField, string>> };

interface Checked {
  name: string;
  url: string;
  emailTo: string[];
  groupWindowS: number;
  events: ChannelEvent[];
}

/** What the form can tell is wrong before the API does: lengths, a number, at least one event and address. */
function check(form: ChannelForm): ChannelBody<Checked> {
  const problems: Partial<Record<ChannelField, string>> = {};
  const name = form.name.trim();
  if (name === '' || name.length > CHANNEL_LIMITS.name)
    problems.name = `a name is 1..${CHANNEL_LIMITS.name} characters`;
  const url = form.url.trim();
  const emailTo = emailList(form.emailTo);
  if (form.kind === 'webhook' && url === '') problems.url = 'the URL the alerts are POSTed to';
  if (form.kind === 'email' && (emailTo.length === 0 || emailTo.length > CHANNEL_LIMITS.emailRecipients))
    problems.emailTo = `1..${CHANNEL_LIMITS.emailRecipients} addresses`;
  const windowS = Number(form.groupWindowS.trim() === '' ? '0' : form.groupWindowS);
  if (!Number.isInteger(windowS) || windowS < 0 || windowS > CHANNEL_LIMITS.groupWindowMaxS)
    problems.groupWindowS = `0..${CHANNEL_LIMITS.groupWindowMaxS} s`;
  const events = CHANNEL_EVENTS.filter((e) => form.events.includes(e));
  if (events.length === 0) problems.events = 'at least one event: opened, resolved or both';
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  return { ok: true, body: { name, url, emailTo, groupWindowS: windowS, events } };
}

export function newChannelBody(form: ChannelForm): ChannelBody<NewChannel> {
  const c = check(form);
  if (!c.ok) return c;
  const common = {
    name: c.body.name,
    enabled: form.enabled,
    minSeverity: form.minSeverity,
    kinds: [...form.kinds],
    events: c.body.events,
    notifyLate: form.notifyLate,
    groupWindowS: c.body.groupWindowS,
  };
  return {
    ok: true,
    body:
      form.kind === 'webhook'
        ? { kind: 'webhook', url: c.body.url, ...common }
        : { kind: 'email', emailTo: c.body.emailTo, ...common },
  };
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/** Only what changed; an empty body means nothing did. */
export function channelChanges(form: ChannelForm, before: NotificationChannel): ChannelBody<ChannelChanges> {
  const c = check({ ...form, kind: before.kind });
  if (!c.ok) return c;
  const changes: ChannelChanges = {};
  if (c.body.name !== before.name) changes.name = c.body.name;
  if (form.enabled !== before.enabled) changes.enabled = form.enabled;
  if (before.kind === 'webhook' && c.body.url !== before.url) changes.url = c.body.url;
  if (before.kind === 'email' && !sameList(c.body.emailTo, before.emailTo ?? []))
    changes.emailTo = c.body.emailTo;
  if (form.minSeverity !== before.minSeverity) changes.minSeverity = form.minSeverity;
  if (!sameList(form.kinds, before.kinds)) changes.kinds = [...form.kinds];
  if (!sameList(c.body.events, before.events)) changes.events = c.body.events;
  if (form.notifyLate !== before.notifyLate) changes.notifyLate = form.notifyLate;
  if (c.body.groupWindowS !== before.groupWindowS) changes.groupWindowS = c.body.groupWindowS;
  return { ok: true, body: changes };
}

/** A delivery's outcome in words: "200 in 12 ms", "refused: 500", "failed: connect ECONNREFUSED". */
export function deliveryOutcome(
  d: Pick<Delivery, 'delivered' | 'statusCode' | 'error' | 'durationMs'>,
): string {
  if (d.delivered) return `${d.statusCode ?? 'sent'} in ${d.durationMs} ms`;
  if (d.statusCode !== null) return `refused: ${d.statusCode}${d.error ? ` (${d.error})` : ''}`;
  return `failed: ${d.error ?? 'no answer'}`;
}

export const DELIVERY_TYPE_LABELS: Record<Delivery['type'], string> = {
  'alert.opened': 'Alert raised',
  'alert.resolved': 'Alert resolved',
  test: 'Test',
};

/** Notifications the API sends again on request: dead ones (given up) and delivered ones. */
export function resendable(entry: Pick<OutboxEntry, 'state'>): boolean {
  return entry.state === 'dead' || entry.state === 'delivered';
}

/** "Warning and above · Speeding, Crash · opened, resolved · grouped 60 s". */
export function channelSummary(c: NotificationChannel, kindLabel: (k: string) => string): string {
  const parts = [
    c.minSeverity === 'critical'
      ? 'Critical only'
      : `${c.minSeverity === 'info' ? 'Info' : 'Warning'} and above`,
    c.kinds.length === 0 ? 'every kind' : c.kinds.map(kindLabel).join(', '),
    c.events.join(' and '),
  ];
  if (!c.notifyLate) parts.push('not late ones');
  if (c.groupWindowS > 0) parts.push(`grouped ${c.groupWindowS} s`);
  return parts.join(' · ');
}
