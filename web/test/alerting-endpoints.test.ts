// The alerting routes the console calls beyond the contract (src/lib/api/alerting.ts, written
// there because api/src/contract.ts does not list them yet) against the API's own zod schemas:
// each shape's fields are the API's, and the limits and choices the forms use are the API's, so
// a field added, renamed or dropped on either side fails here.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { assetTrackSchema } from '../../api/src/domains/assets/schemas.ts';
import * as notifications from '../../api/src/domains/notifications/schemas.ts';
import * as rules from '../../api/src/domains/rules/schemas.ts';
import {
  ALERTING_FIELDS,
  CHANNEL_EVENTS,
  CHANNEL_KINDS,
  CHANNEL_LIMITS,
  OUTBOX_STATES,
  PREVIEW_MAX_DAYS,
} from '../src/lib/api/alerting.ts';

const keys = (schema: z.ZodType) => Object.keys((schema as unknown as z.ZodObject).shape).sort();
const sorted = (list: readonly string[]) => [...list].sort();

describe('the alerting shapes', () => {
  it('have the fields of the API’s schemas', () => {
    const n = notifications;
    expect(sorted(ALERTING_FIELDS.NotificationChannel)).toEqual(keys(n.channelSchema));
    expect(sorted(ALERTING_FIELDS.ChannelChanges)).toEqual(
      keys(n.channelChangesSchema).filter((k) => k !== 'kind'),
    );
    expect(sorted(ALERTING_FIELDS.ChannelWithSecret)).toEqual(keys(n.channelWithSecretSchema));
    expect(sorted(ALERTING_FIELDS.ChannelTestResult)).toEqual(keys(n.testResultSchema));
    expect(sorted(ALERTING_FIELDS.OutboxEntry)).toEqual(keys(n.outboxEntrySchema));
    expect(sorted(ALERTING_FIELDS.Delivery)).toEqual(keys(n.deliverySchema));
    expect(sorted(ALERTING_FIELDS.DeliveryPage)).toEqual(keys(n.deliveryPageSchema));
    expect(sorted(ALERTING_FIELDS.AssetTrack)).toEqual(keys(assetTrackSchema));
    expect(sorted(ALERTING_FIELDS.RulePreview)).toEqual(keys(rules.rulePreviewSchema));
    const alert = (rules.rulePreviewSchema as unknown as z.ZodObject).shape
      .alerts as unknown as z.ZodArray<z.ZodObject>;
    expect(sorted(ALERTING_FIELDS.PreviewAlert)).toEqual(Object.keys(alert.element.shape).sort());
  });

  it('take the API’s limits and choices', () => {
    expect(CHANNEL_KINDS).toEqual(notifications.CHANNEL_KINDS);
    expect(CHANNEL_EVENTS).toEqual(notifications.CHANNEL_EVENTS);
    expect(OUTBOX_STATES).toEqual(notifications.OUTBOX_STATES);
    expect(CHANNEL_LIMITS).toEqual({
      name: notifications.NAME_MAX_LENGTH,
      url: notifications.URL_MAX_LENGTH,
      emailRecipients: notifications.EMAIL_MAX_RECIPIENTS,
      groupWindowMaxS: notifications.GROUP_WINDOW_MAX_S,
      deliveriesPage: notifications.DELIVERIES_PAGE_DEFAULT,
    });
    expect(rules.NAME_MAX_LENGTH).toBe(100);
    expect(PREVIEW_MAX_DAYS).toBe(rules.PREVIEW_MAX_DAYS);
  });

  it('name every route the console calls by the API’s paths', () => {
    const source = (p: string) => readFileSync(resolve(import.meta.dirname, '../../api/src', p), 'utf8');
    const routes = [
      source('domains/notifications/routes.ts'),
      source('domains/rules/routes.ts'),
      source('domains/rules/preview.ts'),
      source('domains/places/routes.ts'),
      source('domains/assets/telemetry.ts'),
    ].join('\n');
    const declared = [...routes.matchAll(/method: '(\w+)',\s*path: '([^']+)'/g)].map(
      (m) => `${m[1]?.toUpperCase()} ${m[2]}`,
    );
    const ours = readFileSync(resolve(import.meta.dirname, '../src/lib/api/alerting.ts'), 'utf8');
    const called = [...ours.matchAll(/^ {2}'((?:GET|POST|PATCH|DELETE) \/api\/v1\/[^']+)'/gm)].map(
      (m) => m[1],
    );
    expect(called.length).toBe(13);
    expect(called.filter((r) => !declared.includes(r ?? ''))).toEqual([]);
  });
});
