// Alerts of the organisation as people work them: the list (newest first, keyset pages), the
// badge's counts, one alert with its timeline, and the changes people make (acknowledge,
// resolve, reopen, assign, comment). Everyone reads; viewers only read (ACT_ON_ALERTS writes).
// The rule engine raises and resolves alerts itself; a change made here is published on the bus
// (topic `alert`) once its transaction has committed, so every console on the hub's `alerts`
// topic shows it.
//
// The life of an alert: open -> acknowledged -> resolved, and resolved -> open again (reopen
// clears the acknowledgement too, so it is worked from the start). Acknowledging an acknowledged
// or resolved alert, resolving a resolved one and reopening one that is not resolved are 409s.
import type { AlertChangeKind } from '@fleet/shared/rules';
import type { z } from 'zod';
import { ApiError, errorBodySchema } from '../../http/errors.ts';
import { type AnyRoute, defineRoute } from '../../http/route.ts';
import { ACT_ON_ALERTS, ANY_ROLE } from '../../permissions.ts';
import type { ApiContext } from '../../routes/context.ts';
import { encodeKeysetCursor } from '../../routes/keyset.ts';
import { ERROR_RESPONSES, iso, notFoundResponse, uuidParam } from '../../routes/schemas.ts';
import { type AlertOutcome, Alerts, type AlertWithActivity } from './repository.ts';
import {
  alertChangesSchema,
  alertDetailSchema,
  alertPageSchema,
  alertQuerySchema,
  alertSummarySchema,
  newAlertCommentSchema,
  resolveAlertSchema,
} from './schemas.ts';

const errors = ERROR_RESPONSES;
const notFound = notFoundResponse('alert');
const NO_ALERT = 'No such alert.';
const stateConflict = {
  description: 'The alert is not in a state this change applies to',
  schema: errorBodySchema,
} as const;

export function alertDetailBody(a: AlertWithActivity): z.input<typeof alertDetailSchema> {
  return { ...a, activity: a.activity.map((x) => ({ ...x, at: iso(x.at) })) };
}

export function alertRoutes(ctx: ApiContext): AnyRoute[] {
  const alerts = (orgId: string) => new Alerts(ctx.db, orgId);

  /** The answer to a change, published after its transaction committed. */
  function changed(outcome: AlertOutcome | undefined, change: AlertChangeKind) {
    if (!outcome) throw new ApiError('not_found', NO_ALERT);
    if (outcome.changed) {
      const { activity: _activity, ...alert } = outcome.alert;
      ctx.bus.publish('alert', { change, alert });
    }
    return alertDetailBody(outcome.alert);
  }

  const changeRoute = (spec: { id: string; path: string; summary: string; description: string }) => ({
    ...spec,
    method: 'post' as const,
    tag: 'alerts',
    access: ACT_ON_ALERTS,
    params: uuidParam,
  });
  const changeResponses = {
    200: { description: 'The alert with its timeline', schema: alertDetailSchema },
    ...errors,
    404: notFound,
    409: stateConflict,
  } as const;

  return [
    defineRoute({
      id: 'listAlerts',
      method: 'get',
      path: '/api/v1/alerts',
      tag: 'alerts',
      summary: "The organisation's alerts, newest first",
      description:
        'Filters combine: `state` and `severity` take comma lists (`state=open,acknowledged`), `from`/`to` bound when the condition began. Alerts another one explains (a power cut explains the offline alert it causes) are hidden unless `includeSuppressed=true`. Pages go on with `cursor=<nextCursor>` and stay whole while new alerts arrive. A user with a department scope sees the alerts of its assets only.',
      access: ANY_ROLE,
      query: alertQuerySchema,
      responses: { 200: { description: 'A page of alerts', schema: alertPageSchema }, ...errors },
      async handler({ principal, query }) {
        const page = await alerts(principal.orgId).page(
          {
            states: query.state,
            severities: query.severity,
            kind: query.kind,
            assetId: query.assetId,
            deviceId: query.deviceId,
            ruleId: query.ruleId,
            from: query.from,
            to: query.to,
            active: query.active,
            includeSuppressed: query.includeSuppressed,
            after: query.cursor,
          },
          query.limit,
        );
        return {
          status: 200,
          body: { items: page.items, nextCursor: page.next === null ? null : encodeKeysetCursor(page.next) },
        };
      },
    }),
    defineRoute({
      id: 'alertSummary',
      method: 'get',
      path: '/api/v1/alerts/summary',
      tag: 'alerts',
      summary: 'How many alerts need attention, by severity and by state',
      description: 'Alerts not resolved and not suppressed: the console’s badge.',
      access: ANY_ROLE,
      responses: { 200: { description: 'The counts', schema: alertSummarySchema }, ...errors },
      async handler({ principal }) {
        return { status: 200, body: await alerts(principal.orgId).summary() };
      },
    }),
    defineRoute({
      id: 'getAlert',
      method: 'get',
      path: '/api/v1/alerts/{id}',
      tag: 'alerts',
      summary: 'One alert with its timeline',
      access: ANY_ROLE,
      params: uuidParam,
      responses: {
        200: { description: 'The alert with its timeline', schema: alertDetailSchema },
        ...errors,
        404: notFound,
      },
      async handler({ principal, params }) {
        const alert = await alerts(principal.orgId).get(params.id);
        if (!alert) throw new ApiError('not_found', NO_ALERT);
        return { status: 200, body: alertDetailBody(alert) };
      },
    }),
    defineRoute({
      ...changeRoute({
        id: 'acknowledgeAlert',
        path: '/api/v1/alerts/{id}/acknowledge',
        summary: 'Acknowledge an open alert',
        description: 'Someone is on it. 409 when it is acknowledged already or resolved.',
      }),
      responses: changeResponses,
      async handler({ principal, params }) {
        const outcome = await alerts(principal.orgId).acknowledge(params.id, principal.userId);
        return { status: 200, body: changed(outcome, 'updated') };
      },
    }),
    defineRoute({
      ...changeRoute({
        id: 'resolveAlert',
        path: '/api/v1/alerts/{id}/resolve',
        summary: 'Resolve an alert',
        description:
          'Open or acknowledged to resolved, with an optional note (`{}` for none). 409 when it is resolved already.',
      }),
      body: resolveAlertSchema,
      responses: changeResponses,
      async handler({ principal, params, body }) {
        const outcome = await alerts(principal.orgId).resolve(params.id, principal.userId, body.note);
        return { status: 200, body: changed(outcome, 'resolved') };
      },
    }),
    defineRoute({
      ...changeRoute({
        id: 'reopenAlert',
        path: '/api/v1/alerts/{id}/reopen',
        summary: 'Reopen a resolved alert',
        description:
          'Back to open, its resolution and acknowledgement cleared (the timeline keeps them). 409 when it is not resolved.',
      }),
      responses: changeResponses,
      async handler({ principal, params }) {
        const outcome = await alerts(principal.orgId).reopen(params.id, principal.userId);
        return { status: 200, body: changed(outcome, 'updated') };
      },
    }),
    defineRoute({
      id: 'updateAlert',
      method: 'patch',
      path: '/api/v1/alerts/{id}',
      tag: 'alerts',
      summary: 'Assign an alert',
      description: '`{assigneeId}`: an active user of the organisation, or null for nobody.',
      access: ACT_ON_ALERTS,
      params: uuidParam,
      body: alertChangesSchema,
      responses: {
        200: { description: 'The alert with its timeline', schema: alertDetailSchema },
        ...errors,
        404: notFound,
      },
      async handler({ principal, params, body }) {
        const outcome = await alerts(principal.orgId).assign(params.id, principal.userId, body.assigneeId);
        return { status: 200, body: changed(outcome, 'updated') };
      },
    }),
    defineRoute({
      ...changeRoute({
        id: 'commentAlert',
        path: '/api/v1/alerts/{id}/comments',
        summary: 'Comment on an alert',
        description:
          '`{body}`, 1..4,000 characters, on the alert’s timeline; resolved alerts take comments too.',
      }),
      body: newAlertCommentSchema,
      responses: {
        201: { description: 'The alert with its timeline, the comment last', schema: alertDetailSchema },
        ...errors,
        404: notFound,
      },
      async handler({ principal, params, body }) {
        const outcome = await alerts(principal.orgId).comment(params.id, principal.userId, body.body);
        return { status: 201, body: changed(outcome, 'updated') };
      },
    }),
  ];
}
