// The bodies and answers of the notification routes. A channel is a webhook (a URL, signed with a
// secret of its own) or a list of email addresses, with what it wants to hear about: a lowest
// severity, rule kinds (none: all), events (opened, resolved), whether late alerts count, and a
// grouping window. The migration's checks say the same; these give the field its message.
import { RULE_KINDS, type RuleKind } from '@fleet/shared/rules';
import { z } from 'zod';
import { alertSeverity, ruleKind } from '../rules/schemas.ts';

export const CHANNEL_KINDS = ['webhook', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const CHANNEL_EVENTS = ['opened', 'resolved'] as const;
export type ChannelEvent = (typeof CHANNEL_EVENTS)[number];

export const NAME_MAX_LENGTH = 100;
export const URL_MAX_LENGTH = 2000;
export const EMAIL_MAX_RECIPIENTS = 20;
export const GROUP_WINDOW_MAX_S = 3600;
export const DELIVERIES_PAGE_DEFAULT = 50;
export const DELIVERIES_PAGE_MAX = 200;

const channelName = z
  .string({ error: 'a name is text' })
  .trim()
  .min(1, `a name is 1..${NAME_MAX_LENGTH} characters`)
  .max(NAME_MAX_LENGTH, `a name is 1..${NAME_MAX_LENGTH} characters`)
  .meta({ description: 'unique in the organisation, whatever the case' });

/** Why a webhook URL is refused, or undefined when it is fine. */
export function webhookUrlProblem(text: string): string | undefined {
  if (text.length > URL_MAX_LENGTH) return `a URL is at most ${URL_MAX_LENGTH} characters`;
  if (!/^https?:\/\//i.test(text)) return 'the URL must start with https:// or http://';
  if (/\s/.test(text)) return 'a URL has no spaces';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return 'the URL must start with https:// or http://';
  if (url.hostname === '') return 'the URL has no host';
  if (url.username !== '' || url.password !== '')
    return 'no user name or password in the URL: receivers check the signature (docs/notifications.md)';
  return undefined;
}

const webhookUrl = z
  .string({ error: 'a URL is text' })
  .trim()
  .max(URL_MAX_LENGTH, `a URL is at most ${URL_MAX_LENGTH} characters`)
  .superRefine((text, ctx) => {
    const problem = webhookUrlProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({
    description: `https:// (or http://) URL the alerts are POSTed to, at most ${URL_MAX_LENGTH} characters, no credentials`,
  });

const emailAddress = z
  .string({ error: 'an address is text' })
  .trim()
  .max(254, 'an address is at most 254 characters')
  .pipe(z.email({ error: 'not an email address' }));

const emailTo = z
  .array(emailAddress, { error: 'emailTo is a list of addresses' })
  .min(1, `1..${EMAIL_MAX_RECIPIENTS} addresses`)
  .max(EMAIL_MAX_RECIPIENTS, `1..${EMAIL_MAX_RECIPIENTS} addresses`)
  // The same address twice is one recipient (as people type it: case of the domain aside).
  .transform((list) =>
    list.filter((a, i) => list.findIndex((b) => b.toLowerCase() === a.toLowerCase()) === i),
  )
  .meta({ description: `1..${EMAIL_MAX_RECIPIENTS} email addresses; one message goes to all of them` });

const kinds = z
  .array(ruleKind, { error: 'kinds is a list of rule kinds' })
  .max(RULE_KINDS.length)
  .transform((list) => [...new Set(list)])
  .meta({ description: 'rule kinds this channel hears about; empty: every kind' });

const events = z
  .array(z.enum(CHANNEL_EVENTS, { error: `an event is one of ${CHANNEL_EVENTS.join(', ')}` }), {
    error: 'events is a list',
  })
  .min(1, 'at least one event: opened, resolved or both')
  .max(CHANNEL_EVENTS.length * 2)
  .transform((list) => CHANNEL_EVENTS.filter((e) => list.includes(e)))
  .meta({
    description: 'opened: an alert was raised; resolved: it was resolved (by a person or the engine)',
  });

const groupWindowS = z
  .number({ error: 'groupWindowS is a number of seconds' })
  .int('whole seconds')
  .min(0, `0..${GROUP_WINDOW_MAX_S} s`)
  .max(GROUP_WINDOW_MAX_S, `0..${GROUP_WINDOW_MAX_S} s`)
  .meta({
    description:
      'seconds to wait and gather alerts of one kind into one message (a fleet-wide outage is one email); 0: each alert at once',
  });

const common = {
  name: channelName,
  enabled: z.boolean({ error: 'enabled is true or false' }),
  minSeverity: alertSeverity,
  kinds,
  events,
  notifyLate: z
    .boolean({ error: 'notifyLate is true or false' })
    .meta({ description: 'also alerts raised from buffered records that arrived late' }),
  groupWindowS,
};

export interface ChannelFilter {
  minSeverity: 'info' | 'warning' | 'critical';
  kinds: RuleKind[];
  events: ChannelEvent[];
  notifyLate: boolean;
  groupWindowS: number;
}

export type NewChannel = ChannelFilter & { name: string; enabled: boolean } & (
    | { kind: 'webhook'; url: string }
    | { kind: 'email'; emailTo: string[] }
  );

const defaults = {
  enabled: common.enabled.default(true),
  minSeverity: common.minSeverity.default('warning'),
  kinds: common.kinds.default([]),
  events: common.events.default(['opened']),
  notifyLate: common.notifyLate.default(true),
  groupWindowS: common.groupWindowS.default(0),
};

export const newChannelSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('webhook'), name: common.name, url: webhookUrl, ...defaults }),
      z.strictObject({ kind: z.literal('email'), name: common.name, emailTo, ...defaults }),
    ],
    { error: 'kind is webhook or email' },
  )
  .transform((b): NewChannel => b)
  .meta({ id: 'NewNotificationChannel' });

export const channelChangesSchema = z
  .strictObject({
    name: common.name.optional(),
    enabled: common.enabled.optional(),
    url: webhookUrl.optional().meta({ description: 'webhook channels only' }),
    emailTo: emailTo.optional().meta({ description: 'email channels only' }),
    minSeverity: common.minSeverity.optional(),
    kinds: common.kinds.optional(),
    events: common.events.optional(),
    notifyLate: common.notifyLate.optional(),
    groupWindowS: common.groupWindowS.optional(),
    kind: z
      .never({ error: 'a channel keeps its kind: create another channel instead' })
      .optional()
      .meta({ description: 'cannot change' }),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change')
  .meta({ id: 'NotificationChannelChanges', description: 'Fields to change; absent ones stay' });

export type ChannelChanges = z.output<typeof channelChangesSchema>;

export const channelSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(CHANNEL_KINDS),
    enabled: z.boolean(),
    url: z.string().nullable().meta({ description: 'webhook channels' }),
    emailTo: z.array(z.string()).nullable().meta({ description: 'email channels' }),
    minSeverity: alertSeverity,
    kinds: z.array(ruleKind),
    events: z.array(z.enum(CHANNEL_EVENTS)),
    notifyLate: z.boolean(),
    groupWindowS: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'NotificationChannel' });

export const channelListSchema = z
  .object({ items: z.array(channelSchema) })
  .meta({ id: 'NotificationChannelList' });

export const channelWithSecretSchema = z
  .object({
    channel: channelSchema,
    secret: z.string().nullable().meta({
      description:
        'webhook channels: the signing secret (base64url), shown only here; check x-fleet-signature with it. Null for email channels',
    }),
  })
  .meta({ id: 'NotificationChannelWithSecret' });

export const testResultSchema = z
  .object({
    delivered: z.boolean(),
    statusCode: z.number().int().nullable().meta({ description: 'HTTP status, or the SMTP reply code' }),
    error: z.string().nullable(),
    durationMs: z.number().int(),
    requestId: z.string().meta({ description: 'the x-fleet-id header sent' }),
  })
  .meta({ id: 'NotificationTestResult' });

const BIGINT_MAX = 9_223_372_036_854_775_807n;
/** A bigint id as text: what PostgreSQL can look up, never a 500 there. */
export const bigintId = z
  .string()
  .regex(/^[1-9][0-9]{0,18}$/, 'not an id')
  // Zod runs this check after a failed regex too: only digits reach BigInt.
  .refine((s) => !/^\d{1,19}$/.test(s) || BigInt(s) <= BIGINT_MAX, 'not an id');

export const outboxIdParam = z.strictObject({ outboxId: bigintId });

export const OUTBOX_STATES = ['pending', 'sending', 'delivered', 'dead', 'skipped'] as const;

export const outboxEntrySchema = z
  .object({
    id: z.string(),
    alertId: z.uuid(),
    event: z.enum(CHANNEL_EVENTS),
    state: z.enum(OUTBOX_STATES).meta({
      description:
        'pending (waiting or retrying), sending, delivered, dead (gave up after 24 h), skipped (suppressed or channel off)',
    }),
    attempts: z.number().int(),
    nextAttemptAt: z.iso.datetime().nullable().meta({ description: 'pending: when it is tried next' }),
  })
  .meta({ id: 'NotificationOutboxEntry' });

export const deliverySchema = z
  .object({
    id: z.string(),
    type: z.enum(['alert.opened', 'alert.resolved', 'test']),
    attemptedAt: z.iso.datetime(),
    delivered: z.boolean(),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int(),
    requestId: z.string(),
    outbox: z
      .array(outboxEntrySchema)
      .meta({ description: 'what this attempt carried, as it stands now (resend a dead or delivered one)' }),
  })
  .meta({ id: 'NotificationDelivery' });

export const deliveryPageSchema = z
  .object({
    items: z.array(deliverySchema),
    nextCursor: z.string().nullable().meta({ description: 'pass as `before` for the next (older) page' }),
  })
  .meta({ id: 'NotificationDeliveryPage' });

export const deliveryQuerySchema = z
  .strictObject({
    before: bigintId.optional().meta({ description: 'nextCursor of the previous page' }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(DELIVERIES_PAGE_MAX)
      .default(DELIVERIES_PAGE_DEFAULT)
      .meta({ description: `attempts per page, 1..${DELIVERIES_PAGE_MAX}` }),
  })
  .meta({ id: 'NotificationDeliveryQuery' });
