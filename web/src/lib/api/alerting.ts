// The alerting routes the console calls beyond @fleet/api/contract: notification channels and
// their delivery log, the rule preview (api/src/domains/rules/preview.ts), archiving a rule, one place, and an asset's track. The
// contract (api/src/contract.ts) does not list them yet and this package may not change it, so
// their shapes are written here once, as management.ts does for its routes;
// web/test/alerting-endpoints.test.ts checks every field against the API's own zod schemas, so a
// change on either side fails a test. When the contract gains them, these go.
import type { AlertRecord, AlertSeverity, RuleKind } from '@fleet/shared/rules';
import type { Place } from './management.ts';

export type Severity = AlertSeverity;

export const CHANNEL_KINDS = ['webhook', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const CHANNEL_EVENTS = ['opened', 'resolved'] as const;
export type ChannelEvent = (typeof CHANNEL_EVENTS)[number];

/** Limits the API's channel schemas enforce (api/src/domains/notifications/schemas.ts). */
export const CHANNEL_LIMITS = {
  name: 100,
  url: 2000,
  emailRecipients: 20,
  groupWindowMaxS: 3600,
  deliveriesPage: 50,
} as const;

export interface NotificationChannel {
  id: string;
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  /** Webhook channels. */
  url: string | null;
  /** Email channels. */
  emailTo: string[] | null;
  minSeverity: Severity;
  /** Rule kinds it hears about; empty: every kind. */
  kinds: RuleKind[];
  events: ChannelEvent[];
  notifyLate: boolean;
  groupWindowS: number;
  createdAt: string;
  updatedAt: string;
}

interface ChannelFilter {
  name: string;
  enabled?: boolean;
  minSeverity?: Severity;
  kinds?: RuleKind[];
  events?: ChannelEvent[];
  notifyLate?: boolean;
  groupWindowS?: number;
}

export type NewChannel = ChannelFilter &
  ({ kind: 'webhook'; url: string } | { kind: 'email'; emailTo: string[] });

export type ChannelChanges = Partial<ChannelFilter> & { url?: string; emailTo?: string[] };

export interface ChannelWithSecret {
  channel: NotificationChannel;
  /** Webhook channels: the signing secret, shown only in this answer. */
  secret: string | null;
}

export interface ChannelTestResult {
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  requestId: string;
}

export const OUTBOX_STATES = ['pending', 'sending', 'delivered', 'dead', 'skipped'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface OutboxEntry {
  id: string;
  alertId: string;
  event: ChannelEvent;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: string | null;
}

export interface Delivery {
  id: string;
  type: 'alert.opened' | 'alert.resolved' | 'test';
  attemptedAt: string;
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  requestId: string;
  outbox: OutboxEntry[];
}

export interface DeliveryPage {
  items: Delivery[];
  nextCursor: string | null;
}

export interface TrackPoint {
  ts: number;
  lat: number;
  lon: number;
  speedKmh: number | null;
  headingDeg: number | null;
}

export interface AssetTrack {
  assetId: string;
  deviceIds: string[];
  from: number;
  to: number;
  sourcePoints: number;
  simplified: boolean;
  toleranceM: number;
  sampleMs: number | null;
  points: TrackPoint[];
}

/** A rule as the preview evaluates it: saved or not. */
export interface PreviewRule {
  kind: RuleKind;
  params: Record<string, unknown>;
  scope: {
    departmentIds: string[];
    assetIds: string[];
    placeIds: string[];
    placeCategories: string[];
  };
  schedule: { timeZone?: string; hours: Record<string, { from: string; to: string }[]> } | null;
  severity: Severity;
}

export type RulePreviewRequest = ({ rule: PreviewRule } | { ruleId: string }) & {
  assetId: string;
  /** ISO 8601; at most PREVIEW_MAX_DAYS apart. */
  from: string;
  to: string;
};

/** The longest range a preview runs over (api/src/domains/rules/schemas.ts). */
export const PREVIEW_MAX_DAYS = 7;

export interface PreviewAlert {
  kind: RuleKind;
  severity: Severity;
  title: string;
  startedAt: string;
  endedAt: string | null;
  lat: number | null;
  lon: number | null;
  placeId: string | null;
  deviceId: string;
  assetId: string;
  details: AlertRecord['details'];
}

export interface RulePreview {
  assetId: string;
  from: string;
  to: string;
  /** Records and device events the rule was run over. */
  records: number;
  /** The range held more records than the preview reads: only the earliest were run. */
  truncated: boolean;
  /** Oldest first. */
  alerts: PreviewAlert[];
  /** Alerts past the list's limit. */
  moreAlerts: number;
}

type Empty = Record<string, never>;

export interface AlertingEndpoints {
  'GET /api/v1/notification-channels': { body: undefined; response: { items: NotificationChannel[] } };
  'GET /api/v1/notification-channels/{id}': { body: undefined; response: NotificationChannel };
  'POST /api/v1/notification-channels': { body: NewChannel; response: ChannelWithSecret };
  'PATCH /api/v1/notification-channels/{id}': { body: ChannelChanges; response: NotificationChannel };
  'DELETE /api/v1/notification-channels/{id}': { body: undefined; response: Empty };
  'POST /api/v1/notification-channels/{id}/rotate-secret': { body: undefined; response: ChannelWithSecret };
  'POST /api/v1/notification-channels/{id}/test': { body: undefined; response: ChannelTestResult };
  'GET /api/v1/notification-channels/{id}/deliveries': { body: undefined; response: DeliveryPage };
  'POST /api/v1/notification-deliveries/{outboxId}/resend': { body: undefined; response: OutboxEntry };
  'DELETE /api/v1/rules/{id}': { body: undefined; response: Empty };
  'POST /api/v1/rules/preview': { body: RulePreviewRequest; response: RulePreview };
  'GET /api/v1/places/{id}': { body: undefined; response: Place };
  'GET /api/v1/assets/{id}/track': { body: undefined; response: AssetTrack };
}

/** Field names of each shape above, for the drift test (the `satisfies` checks each key is real). */
export const ALERTING_FIELDS = {
  NotificationChannel: [
    'id',
    'name',
    'kind',
    'enabled',
    'url',
    'emailTo',
    'minSeverity',
    'kinds',
    'events',
    'notifyLate',
    'groupWindowS',
    'createdAt',
    'updatedAt',
  ],
  ChannelChanges: [
    'name',
    'enabled',
    'url',
    'emailTo',
    'minSeverity',
    'kinds',
    'events',
    'notifyLate',
    'groupWindowS',
  ],
  ChannelWithSecret: ['channel', 'secret'],
  ChannelTestResult: ['delivered', 'statusCode', 'error', 'durationMs', 'requestId'],
  OutboxEntry: ['id', 'alertId', 'event', 'state', 'attempts', 'nextAttemptAt'],
  Delivery: [
    'id',
    'type',
    'attemptedAt',
    'delivered',
    'statusCode',
    'error',
    'durationMs',
    'requestId',
    'outbox',
  ],
  DeliveryPage: ['items', 'nextCursor'],
  AssetTrack: [
    'assetId',
    'deviceIds',
    'from',
    'to',
    'sourcePoints',
    'simplified',
    'toleranceM',
    'sampleMs',
    'points',
  ],
  RulePreview: ['assetId', 'from', 'to', 'records', 'truncated', 'alerts', 'moreAlerts'],
  PreviewAlert: [
    'kind',
    'severity',
    'title',
    'startedAt',
    'endedAt',
    'lat',
    'lon',
    'placeId',
    'deviceId',
    'assetId',
    'details',
  ],
} as const satisfies {
  NotificationChannel: readonly (keyof NotificationChannel)[];
  ChannelChanges: readonly (keyof ChannelChanges)[];
  ChannelWithSecret: readonly (keyof ChannelWithSecret)[];
  ChannelTestResult: readonly (keyof ChannelTestResult)[];
  OutboxEntry: readonly (keyof OutboxEntry)[];
  Delivery: readonly (keyof Delivery)[];
  DeliveryPage: readonly (keyof DeliveryPage)[];
  AssetTrack: readonly (keyof AssetTrack)[];
  RulePreview: readonly (keyof RulePreview)[];
  PreviewAlert: readonly (keyof PreviewAlert)[];
};
