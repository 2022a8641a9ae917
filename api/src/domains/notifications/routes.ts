// Notification channels of the organisation (webhooks and email lists), a test send, the
// delivery log and "send again". Administrators and fleet managers only: a channel's URL and
// addresses decide where the fleet's alerts leave the platform (docs/notifications.md).
import { currentDepartmentScope } from '@fleet/shared/db';
import type { z } from 'zod';
import { ApiError, errorBodySchema } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { MANAGE_NOTIFICATIONS } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { ERROR_RESPONSES, empty, iso, isoOrNull, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { type Channel, type Delivery, NotificationChannels } from './repository.ts';
import {
  channelChangesSchema,
  channelListSchema,
  channelSchema,
  channelWithSecretSchema,
  deliveryPageSchema,
  deliveryQuerySchema,
  type deliverySchema,
  newChannelSchema,
  outboxEntrySchema,
  outboxIdParam,
  testResultSchema,
} from './schemas.ts';

const errors = ERROR_RESPONSES;
const notFound = notFoundResponse('notification channel');
const duplicate = { description: 'A channel with this name exists', schema: errorBodySchema } as const;
const noSuchChannel = () => new ApiError('not_found', 'No such notification channel.');

export function channelBody(c: Channel): z.input<typeof channelSchema> {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    enabled: c.enabled,
    url: c.url,
    emailTo: c.emailTo,
    minSeverity: c.minSeverity,
    kinds: c.kinds,
    events: c.events,
    notifyLate: c.notifyLate,
    groupWindowS: c.groupWindowS,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

function deliveryBody(d: Delivery): z.input<typeof deliverySchema> {
  return {
    id: d.id,
    type: d.type,
    attemptedAt: iso(d.attemptedAt),
    delivered: d.error === null,
    statusCode: d.statusCode,
    error: d.error,
    durationMs: d.durationMs,
    requestId: d.requestId,
    outbox: d.outbox.map((o) => ({ ...o, nextAttemptAt: isoOrNull(o.nextAttemptAt) })),
  };
}

/**
 * A channel hears every alert of the organisation, so a user limited to a department may not
 * manage or read channels: their department's alerts only would need a channel of that
 * department, which does not exist yet (docs/notifications.md).
 */
const departmentScoped = () =>
  new ApiError(
    'forbidden',
    'Notification channels hear the whole organisation’s alerts: someone without a department scope manages them.',
  );

export function notificationRoutes(ctx: ApiContext): AnyRoute[] {
  const channels = (orgId: string) => {
    if (currentDepartmentScope() !== undefined) throw departmentScoped();
    return new NotificationChannels(ctx.db, orgId);
  };
  const { cipher, sender } = ctx.notifications;

  return [
    defineRoute({
      id: 'listNotificationChannels',
      method: 'get',
      path: '/api/v1/notification-channels',
      tag: 'notifications',
      summary: "The organisation's notification channels, by name",
      access: MANAGE_NOTIFICATIONS,
      responses: { 200: { description: 'The channels', schema: channelListSchema }, ...errors },
      async handler({ principal }) {
        return { status: 200, body: { items: (await channels(principal.orgId).list()).map(channelBody) } };
      },
    }),
    defineRoute({
      id: 'getNotificationChannel',
      method: 'get',
      path: '/api/v1/notification-channels/{id}',
      tag: 'notifications',
      summary: 'One notification channel',
      access: MANAGE_NOTIFICATIONS,
      params: uuidParam,
      responses: { 200: { description: 'The channel', schema: channelSchema }, ...errors, 404: notFound },
      async handler({ principal, params }) {
        const channel = await channels(principal.orgId).get(params.id);
        if (!channel) throw noSuchChannel();
        return { status: 200, body: channelBody(channel) };
      },
    }),
    defineRoute({
      id: 'createNotificationChannel',
      method: 'post',
      path: '/api/v1/notification-channels',
      tag: 'notifications',
      summary: 'Create a webhook or email channel',
      description:
        'A webhook (`{kind: "webhook", name, url}`) gets a signing secret, answered here once: receivers check `x-fleet-signature` with it (docs/notifications.md). An email channel (`{kind: "email", name, emailTo}`) sends through the API’s SMTP_URL. Both take minSeverity (default warning), kinds (rule kinds; empty: all), events (opened, resolved; default opened), notifyLate (default true) and groupWindowS (0..3600, default 0).',
      access: MANAGE_NOTIFICATIONS,
      body: newChannelSchema,
      responses: {
        201: {
          description: 'Created, with the webhook secret (shown once)',
          schema: channelWithSecretSchema,
        },
        ...errors,
        409: duplicate,
      },
      async handler({ principal, body }) {
        const { channel, secret } = await channels(principal.orgId).create(body, cipher);
        return { status: 201, body: { channel: channelBody(channel), secret } };
      },
    }),
    defineRoute({
      id: 'updateNotificationChannel',
      method: 'patch',
      path: '/api/v1/notification-channels/{id}',
      tag: 'notifications',
      summary: 'Change what a channel hears about, where it sends, or switch it off',
      description:
        'Notifications already queued keep their channel’s old filter; a channel switched off skips what it has queued.',
      access: MANAGE_NOTIFICATIONS,
      params: uuidParam,
      body: channelChangesSchema,
      responses: {
        200: { description: 'The changed channel', schema: channelSchema },
        ...errors,
        404: notFound,
        409: duplicate,
      },
      async handler({ principal, params, body }) {
        const channel = await channels(principal.orgId).update(params.id, body);
        if (!channel) throw noSuchChannel();
        return { status: 200, body: channelBody(channel) };
      },
    }),
    defineRoute({
      id: 'deleteNotificationChannel',
      method: 'delete',
      path: '/api/v1/notification-channels/{id}',
      tag: 'notifications',
      summary: 'Remove a channel, with what it has queued and its delivery log',
      access: MANAGE_NOTIFICATIONS,
      params: uuidParam,
      responses: { 200: { description: 'Removed', schema: empty }, ...errors, 404: notFound },
      async handler({ principal, params }) {
        if (!(await channels(principal.orgId).remove(params.id))) throw noSuchChannel();
        return { status: 200, body: {} };
      },
    }),
    defineRoute({
      id: 'rotateNotificationChannelSecret',
      method: 'post',
      path: '/api/v1/notification-channels/{id}/rotate-secret',
      tag: 'notifications',
      summary: 'A new signing secret for a webhook channel (shown once); the old one stops at once',
      access: MANAGE_NOTIFICATIONS,
      params: uuidParam,
      responses: {
        200: { description: 'The channel and its new secret', schema: channelWithSecretSchema },
        ...errors,
        404: notFound,
        409: { description: 'An email channel has no secret', schema: errorBodySchema },
      },
      async handler({ principal, params }) {
        const rotated = await channels(principal.orgId).rotateSecret(params.id, cipher);
        if (!rotated) throw noSuchChannel();
        return { status: 200, body: { channel: channelBody(rotated.channel), secret: rotated.secret } };
      },
    }),
    defineRoute({
      id: 'testNotificationChannel',
      method: 'post',
      path: '/api/v1/notification-channels/{id}/test',
      tag: 'notifications',
      summary: 'Send a test notification now and answer how it went',
      description:
        'A webhook gets `type: "test"` with no alerts, signed like every other request; an email channel a short test message. Also for a channel that is switched off. The attempt is in the delivery log.',
      access: MANAGE_NOTIFICATIONS,
      params: uuidParam,
      responses: {
        200: { description: 'The attempt (delivered or not, and why)', schema: testResultSchema },
        ...errors,
        404: notFound,
      },
      async handler({ principal, params }) {
        const repository = channels(principal.orgId);
        const channel = await repository.get(params.id);
        if (!channel) throw noSuchChannel();
        const timeZone = await repository.timeZone();
        const result = await sender.deliver(
          channel,
          {
            type: 'test',
            alerts: [],
            timeZone,
            consoleUrl: ctx.notifications.consoleUrl,
            channelName: channel.name,
          },
          [],
        );
        return { status: 200, body: result };
      },
    }),
    defineRoute({
      id: 'listNotificationDeliveries',
      method: 'get',
      path: '/api/v1/notification-channels/{id}/deliveries',
      tag: 'notifications',
      summary: "A channel's delivery log, newest first",
      description:
        'Every attempt: its status code (HTTP, or the SMTP reply), error, duration, the x-fleet-id it sent, and the outbox entries it carried as they stand now (a dead or delivered one can be sent again).',
      access: MANAGE_NOTIFICATIONS,
      params: uuidParam,
      query: deliveryQuerySchema,
      responses: {
        200: { description: 'A page of attempts', schema: deliveryPageSchema },
        ...errors,
        404: notFound,
      },
      async handler({ principal, params, query }) {
        const repository = channels(principal.orgId);
        if (!(await repository.get(params.id))) throw noSuchChannel();
        const page = await repository.deliveries(params.id, { before: query.before, limit: query.limit });
        return { status: 200, body: { items: page.items.map(deliveryBody), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      id: 'resendNotification',
      method: 'post',
      path: '/api/v1/notification-deliveries/{outboxId}/resend',
      tag: 'notifications',
      summary: 'Send a dead or delivered notification again',
      description:
        'The outbox entry (an id from the delivery log) is due again now, with 24 hours of retries of its own. 409 while it is still pending or sending, or when it was skipped (its alert is explained by another).',
      access: MANAGE_NOTIFICATIONS,
      params: outboxIdParam,
      responses: {
        200: { description: 'Queued again', schema: outboxEntrySchema },
        ...errors,
        404: notFoundResponse('notification'),
        409: { description: 'Pending, sending or skipped', schema: errorBodySchema },
      },
      async handler({ principal, params }) {
        const entry = await channels(principal.orgId).resend(params.outboxId);
        if (!entry) throw new ApiError('not_found', 'No such notification.');
        return { status: 200, body: { ...entry, nextAttemptAt: isoOrNull(entry.nextAttemptAt) } };
      },
    }),
  ];
}
