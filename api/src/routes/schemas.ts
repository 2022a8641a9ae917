// Schemas several routes share, and the bodies the ops console reads (api/src/contract.ts).
// Each named one becomes a component of the OpenAPI document. The console's type check loads
// this module and what it imports: keep those to zod and small dependency-free modules.
import { DEVICE_KINDS, type DeviceKind, VEHICLE_STATUSES, type VehicleStatus } from '@fleet/shared/live';
import {
  DISTANCE_UNITS,
  isCurrencyCode,
  WEEKDAYS,
  type Weekday,
  type WorkingHours,
  workingDayProblem,
} from '@fleet/shared/organisation-settings';
import { canonicalTimeZone, isTimeZoneName, TIME_ZONE_MAX_LENGTH } from '@fleet/shared/time-zone';
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../auth/passwords.ts';
import { errorBodySchema } from '../http/errors.ts';
import { ROLES } from '../permissions.ts';

/** The readable cookie that tells the console a session may exist (routes/auth.ts). */
export const SESSION_HINT_COOKIE = 'fleet_session';

export const uuidParam = z.strictObject({ id: z.uuid() });
export const deviceIdParam = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{3,64}$/, 'not a device id'),
});

/** Instants in queries: ISO 8601 or milliseconds since the Unix epoch. */
export const instant = z
  .string()
  .max(40)
  .transform((text, ctx) => {
    const ms = /^\d{1,16}$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(ms) || ms < 0 || ms > 8_640_000_000_000_000) {
      ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 time or epoch milliseconds' });
      return z.NEVER;
    }
    return ms;
  })
  .meta({
    description: 'ISO 8601 time or milliseconds since the Unix epoch',
    example: '2026-11-21T08:00:00Z',
  });

export const isoTime = z.iso.datetime();
const iso = (d: Date) => d.toISOString();
export const isoOrNull = (d: Date | null) => (d === null ? null : iso(d));
export { iso };

/**
 * An IANA time zone name that Intl understands ('Europe/Helsinki', 'UTC', 'Etc/UTC'); see
 * shared/src/time-zone.ts for why Intl.DateTimeFormat decides and not Intl.supportedValuesOf.
 */
export const timeZoneName = z
  .string()
  .max(TIME_ZONE_MAX_LENGTH, {
    error: `a time zone name is at most ${TIME_ZONE_MAX_LENGTH} characters`,
    abort: true,
  })
  .refine(isTimeZoneName, {
    error: (issue) =>
      `unknown time zone ${JSON.stringify(issue.input)}: expected an IANA name such as Europe/Helsinki or UTC`,
  })
  .transform(canonicalTimeZone)
  .meta({ id: 'TimeZone', description: 'IANA time zone name', example: 'Europe/Helsinki' });

export const role = z.enum(ROLES).meta({ id: 'Role' });
export const vehicleStatus = z
  .enum(VEHICLE_STATUSES as [VehicleStatus, ...VehicleStatus[]])
  .meta({ id: 'VehicleStatus' });
export const connection = z.enum(['online', 'offline', 'unknown']).meta({ id: 'Connection' });
export const deviceKind = z.enum(DEVICE_KINDS as [DeviceKind, ...DeviceKind[]]).meta({ id: 'DeviceKind' });

export const livePosition = z
  .object({
    deviceId: z.string(),
    ts: z.number().int().meta({ description: 'device time, ms since the Unix epoch' }),
    lat: z.number(),
    lon: z.number(),
    speedKmh: z.number().nullable(),
    headingDeg: z.number().nullable(),
    ignition: z.boolean().nullable(),
    status: vehicleStatus,
  })
  .meta({ id: 'LivePosition' });

export const empty = z.object({}).meta({ id: 'Empty' });

/** The errors every signed-in route can answer with. */
export const ERROR_RESPONSES = {
  400: { description: 'Invalid request', schema: errorBodySchema },
  401: { description: 'Not signed in', schema: errorBodySchema },
  403: { description: 'Your role may not do this', schema: errorBodySchema },
} as const;

/** The most records one CSV export answers (the audit log's cap, for the same reason: memory). */
export const EXPORT_MAX_ROWS = 100_000;

/** A list route's answer: a page as JSON, or every matching record as a CSV file (api/src/csv). */
export const listFormat = z
  .enum(['json', 'csv'], { error: 'format is json or csv' })
  .default('json')
  .meta({
    description: `csv: every matching record (not one page) as a CSV file that the import route reads back, at most ${EXPORT_MAX_ROWS.toLocaleString('en')}`,
  });

export function notFoundResponse(what: string) {
  return { description: `No such ${what} in your organisation`, schema: errorBodySchema } as const;
}

export const userSchema = z
  .object({
    id: z.uuid(),
    orgId: z.uuid(),
    email: z.string(),
    name: z.string(),
    role,
    departmentId: z.uuid().nullable(),
    departmentScope: z.boolean().meta({ description: "sees only the assets of the department's subtree" }),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
    lastLoginAt: z.string().nullable(),
  })
  .meta({ id: 'User' });

export const accessTokenSchema = z
  .object({
    token: z.string().meta({ description: 'access token (JWT): send as Authorization: Bearer <token>' }),
    expiresAt: z.number().int().meta({ description: 'ms since the Unix epoch' }),
  })
  .meta({ id: 'AccessToken' });

export const loginRequestSchema = z
  .strictObject({
    email: z.string().min(3).max(254),
    password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
    organisation: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
      .optional()
      .describe('The organisation slug; needed only when the email has accounts in several organisations'),
  })
  .meta({ id: 'LoginRequest' });

export const signedInSchema = accessTokenSchema
  .extend({
    user: userSchema,
    mfaEnrolmentRequired: z.boolean().meta({
      description:
        'The organisation requires MFA of this administrator, who has none: the token reaches only /api/v1/me, /api/v1/me/mfa/* and sign-out until they enrol (then refresh)',
    }),
  })
  .meta({ id: 'SignedIn' });

export const mfaChallengeSchema = z
  .object({
    mfaRequired: z.literal(true),
    mfaToken: z.string().meta({ description: 'send it with a code to POST /api/v1/auth/login/mfa' }),
    expiresAt: z
      .number()
      .int()
      .meta({ description: 'when the second step must be done by, ms since the Unix epoch' }),
  })
  .meta({ id: 'MfaChallenge' });

/** A right password signs in, or (with MFA on) asks for the second step. */
export const loginResponseSchema = z
  .union([signedInSchema, mfaChallengeSchema])
  .meta({ id: 'LoginResponse' });

/** The second step of an MFA sign-in: a code from the authenticator app, or a recovery code. */
export const mfaLoginRequestSchema = z
  .strictObject({
    mfaToken: z.string().min(1).max(2000),
    code: z
      .string()
      .regex(/^\d{6}$/, 'six digits from the authenticator app')
      .optional(),
    recoveryCode: z
      .string()
      .min(1)
      .max(40)
      .optional()
      .meta({ description: 'one of the recovery codes shown at enrolment (each works once)' }),
  })
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), {
    message: 'give either code or recoveryCode',
    path: ['code'],
  })
  .meta({ id: 'MfaLoginRequest' });

const workingInterval = z.strictObject({
  from: z.string().max(5).meta({ example: '08:00' }),
  to: z.string().max(5).meta({ example: '17:00' }),
});

/** Working intervals per weekday, local times "HH:MM" in the organisation's time zone. */
export const workingHoursSchema = z
  .strictObject(
    Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(workingInterval).max(8)])) as Record<
      Weekday,
      z.ZodArray<typeof workingInterval>
    >,
  )
  .superRefine((hours, ctx) => {
    for (const day of WEEKDAYS) {
      const problem = workingDayProblem(hours[day]);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [day], message: problem });
    }
  })
  .meta({
    id: 'WorkingHours',
    description:
      'Working intervals per weekday in the organisation time zone ("HH:MM", to may be "24:00"; [] is a day off); after-hours rules use them',
  });

export const distanceUnit = z.enum(DISTANCE_UNITS).meta({ id: 'DistanceUnit' });
export const currencyCode = z
  .string()
  .refine(isCurrencyCode, 'an ISO 4217 currency code such as EUR, SEK or USD')
  .meta({ example: 'EUR' });

export const organisationSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    timeZone: z.string().meta({
      description: 'IANA time zone name in which the console shows times',
      example: 'Europe/Helsinki',
    }),
    workingHours: workingHoursSchema,
    distanceUnit,
    currency: z.string(),
    suspendedAt: z.iso.datetime().nullable(),
    mfaRequiredForAdmins: z
      .boolean()
      .meta({ description: 'administrators must sign in with a second factor' }),
  })
  .meta({ id: 'Organisation' });

export const organisationChangesSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    timeZone: timeZoneName.optional(),
    workingHours: workingHoursSchema.optional(),
    distanceUnit: distanceUnit.optional(),
    currency: currencyCode.optional(),
    mfaRequiredForAdmins: z.boolean().optional(),
  })
  .refine(
    (b) => Object.keys(b).length > 0,
    'nothing to change: give name, timeZone, workingHours, distanceUnit, currency or mfaRequiredForAdmins',
  )
  .meta({ id: 'OrganisationChanges' });

/** An organisation as the API answers with it. */
export function organisationBody(o: {
  id: string;
  slug: string;
  name: string;
  timeZone: string;
  workingHours: WorkingHours;
  distanceUnit: (typeof DISTANCE_UNITS)[number];
  currency: string;
  suspendedAt: Date | string | null;
  mfaRequiredForAdmins: boolean;
}): z.input<typeof organisationSchema> {
  return {
    id: o.id,
    slug: o.slug,
    name: o.name,
    timeZone: o.timeZone,
    workingHours: o.workingHours,
    distanceUnit: o.distanceUnit,
    currency: o.currency,
    suspendedAt: o.suspendedAt === null ? null : new Date(o.suspendedAt).toISOString(),
    mfaRequiredForAdmins: o.mfaRequiredForAdmins,
  };
}

export const meSchema = z
  .object({
    user: userSchema,
    organisation: organisationSchema,
    mfaEnabled: z.boolean().meta({ description: 'the user signs in with a second factor' }),
    mfaEnrolmentRequired: z.boolean().meta({
      description: 'this session is limited to enrolling in MFA, which the organisation requires of the user',
    }),
  })
  .meta({ id: 'Me' });

/** The vehicle or equipment item a device is installed on now, as the map and fleet list show it. */
export const assetRefSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['vehicle', 'equipment']),
    name: z.string(),
    plate: z.string().nullable(),
    departmentId: z.uuid().nullable(),
  })
  .meta({ id: 'AssetRef' });

const installedAsset = assetRefSchema
  .nullable()
  .meta({ description: 'the asset the device is installed on now; null: none' });

export const fleetLatestSchema = z
  .object({
    at: z.number().int(),
    devices: z.array(
      z.object({
        deviceId: z.string(),
        name: z.string(),
        kind: deviceKind,
        disabled: z.boolean(),
        position: livePosition.nullable(),
        status: vehicleStatus,
        connection,
        lastSeenAt: z.number().int().nullable(),
        asset: installedAsset,
      }),
    ),
  })
  .meta({ id: 'FleetLatest' });

export const deviceSchema = z
  .object({
    id: z.string(),
    kind: deviceKind,
    name: z.string(),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
    connection,
  })
  .meta({ id: 'Device' });

/** A device in the list, with the asset it is installed on now. */
export const deviceListItemSchema = deviceSchema
  .extend({
    asset: assetRefSchema.nullable().meta({ description: 'the asset it is installed on now; null: none' }),
  })
  .meta({ id: 'DeviceListItem' });

export const devicePageSchema = z
  .object({
    items: z.array(deviceListItemSchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .meta({ id: 'DevicePage' });

export const deviceLatestSchema = z
  .object({
    deviceId: z.string(),
    position: livePosition.nullable(),
    status: vehicleStatus,
    connection,
    lastSeenAt: z.number().int().nullable(),
    valuesAt: z.number().int().nullable().meta({ description: 'device time of `values`, ms' }),
    values: z
      .record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.array(z.string())]))
      .meta({ description: 'the newest value of each telemetry field; text: driverCardId' }),
  })
  .meta({ id: 'DeviceLatest' });

export const trackPoint = z
  .object({
    ts: z.number().int(),
    lat: z.number(),
    lon: z.number(),
    speedKmh: z.number().nullable(),
    headingDeg: z.number().nullable(),
  })
  .meta({ id: 'TrackPoint' });

export const trackSchema = z
  .object({
    deviceId: z.string(),
    from: z.number().int(),
    to: z.number().int(),
    sourcePoints: z.number().int().meta({ description: 'positions read (after thinning, see sampleMs)' }),
    simplified: z.boolean(),
    toleranceM: z.number().meta({ description: 'simplification tolerance used, metres' }),
    sampleMs: z.number().int().nullable().meta({
      description: 'null: every stored position was read; else the bucket used to thin very long ranges',
    }),
    points: z.array(trackPoint),
  })
  .meta({ id: 'Track' });

export const telemetrySeriesSchema = z
  .object({
    deviceId: z.string(),
    from: z.number().int(),
    to: z.number().int(),
    bucketMs: z.number().int(),
    ts: z.array(z.number().int()).meta({ description: 'bucket start times, ms' }),
    fields: z.record(
      z.string(),
      z.object({
        unit: z.string(),
        avg: z.array(z.number().nullable()),
        min: z.array(z.number().nullable()),
        max: z.array(z.number().nullable()),
      }),
    ),
  })
  .meta({ id: 'TelemetrySeries' });

export const deviceEventSchema = z
  .object({
    ts: z.number().int(),
    kind: z.string(),
    seq: z.number().int(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    speedKmh: z.number().nullable(),
    peakG: z.number().nullable(),
    buttonId: z.number().int().nullable(),
    firmware: z.string().nullable(),
    detail: z.string(),
    receivedAt: z.number().int(),
  })
  .meta({ id: 'DeviceEvent' });

export const deviceEventListSchema = z
  .object({ deviceId: z.string(), items: z.array(deviceEventSchema) })
  .meta({ id: 'DeviceEventList' });

export const consoleConfigSchema = z
  .object({
    mapStyle: z.string().meta({ description: 'URL (or path on this server) of the MapLibre style' }),
    offlineBasemap: z.boolean().meta({ description: 'whether that style is the built-in offline basemap' }),
  })
  .meta({ id: 'ConsoleConfig' });
