// What a notification says, as pure functions of the alerts it carries: the webhook's JSON body
// and the email's subject, plain text and HTML (docs/notifications.md shows both). Times are in
// the organisation's time zone; a late alert (raised from buffered records) says when it
// happened and when it was reported, so nobody reads an hour-old crash as happening now.
import type { AlertRecord, AlertSeverity } from '@fleet/shared';
import { ALERT_SEVERITIES, RULE_KIND_LABELS } from '@fleet/shared';

export type NotificationType = 'alert.opened' | 'alert.resolved' | 'test';

/** An alert as a notification shows it: the record, and the asset as people call it. */
export interface NotifiedAlert {
  record: AlertRecord;
  /** The asset's name, with the plate when the name does not already hold it; null: none. */
  assetLabel: string | null;
}

export interface NotificationContent {
  type: NotificationType;
  alerts: readonly NotifiedAlert[];
  /** The organisation's IANA time zone. */
  timeZone: string;
  /** The console's base URL (CONSOLE_PUBLIC_URL). */
  consoleUrl: string;
  channelName: string;
}

/** An email lists this many alerts; the rest are a count and a link to the console's list. */
export const EMAIL_MAX_LISTED = 100;
const SUBJECT_MAX_LENGTH = 200;

export function assetLabel(name: string | null, plate: string | null): string | null {
  if (name === null) return plate;
  return plate && !name.includes(plate) ? `${name} ${plate}` : name;
}

/** The webhook's body: `{id, type, sentAt, alerts}` with every AlertRecord as the API answers it. */
export function webhookBody(id: string, content: NotificationContent, sentAt: Date): string {
  return JSON.stringify({
    id,
    type: content.type,
    sentAt: sentAt.toISOString(),
    alerts: content.alerts.map((a) => a.record),
  });
}

const TIME_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** `2026-11-21 14:03:05 (Europe/Helsinki)`; UTC when the zone is unknown to this runtime. */
export function formatTime(iso: string, timeZone: string): string {
  let format = TIME_FORMATS.get(timeZone);
  if (!format) {
    try {
      // sv-SE writes dates as ISO 8601 does: 2026-11-21 14:03:05.
      format = new Intl.DateTimeFormat('sv-SE', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} (UTC)`;
    }
    if (TIME_FORMATS.size > 500) TIME_FORMATS.clear();
    TIME_FORMATS.set(timeZone, format);
  }
  return `${format.format(new Date(iso))} (${timeZone})`;
}

export function alertUrl(consoleUrl: string, alertId: string): string {
  return `${consoleUrl.replace(/\/+$/, '')}/alerts/${encodeURIComponent(alertId)}`;
}

function alertsListUrl(consoleUrl: string, kind: string): string {
  return `${consoleUrl.replace(/\/+$/, '')}/alerts?kind=${encodeURIComponent(kind)}`;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** One line of text for a header: no line breaks or control characters, bounded. */
function headerText(text: string, max = SUBJECT_MAX_LENGTH): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function highest(alerts: readonly NotifiedAlert[]): AlertSeverity {
  let rank = 0;
  for (const a of alerts) rank = Math.max(rank, ALERT_SEVERITIES.indexOf(a.record.severity));
  return ALERT_SEVERITIES[rank] ?? 'info';
}

/** The alert's title with its asset, unless the title names the asset already. */
function headline(a: NotifiedAlert): string {
  const { title } = a.record;
  return a.assetLabel && !title.includes(a.assetLabel) ? `${title} — ${a.assetLabel}` : title;
}

const kindLabel = (kind: string) => RULE_KIND_LABELS[kind as keyof typeof RULE_KIND_LABELS] ?? kind;

export function emailSubject(content: NotificationContent): string {
  if (content.type === 'test')
    return headerText(`[test] Test notification from Fleet — ${content.channelName}`);
  const resolved = content.type === 'alert.resolved';
  const severity = highest(content.alerts);
  const [first] = content.alerts;
  if (content.alerts.length === 1 && first)
    return headerText(`[${severity}] ${resolved ? 'Resolved: ' : ''}${headline(first)}`);
  const kinds = [...new Set(content.alerts.map((a) => a.record.kind))];
  const what = kinds.length === 1 ? kindLabel(kinds[0] as string) : kinds.map(kindLabel).join(', ');
  return headerText(`[${severity}] ${content.alerts.length} alerts${resolved ? ' resolved' : ''}: ${what}`);
}

/** The lines that describe one alert (text; the HTML escapes the same lines). */
function alertLines(a: NotifiedAlert, content: NotificationContent): string[] {
  const r = a.record;
  const at = (iso: string) => formatTime(iso, content.timeZone);
  const lines = [
    `Severity: ${r.severity} · ${kindLabel(r.kind)}${r.ruleName ? ` · rule "${r.ruleName}"` : ''}`,
  ];
  if (a.assetLabel) lines.push(`Asset: ${a.assetLabel}${r.deviceId ? ` (device ${r.deviceId})` : ''}`);
  else if (r.deviceId) lines.push(`Device: ${r.deviceId}`);
  if (r.late)
    lines.push(`From buffered records: happened at ${at(r.startedAt)}, reported at ${at(r.raisedAt)}`);
  else lines.push(`Started: ${at(r.startedAt)}`);
  if (r.endedAt) lines.push(`Ended: ${at(r.endedAt)}`);
  if (content.type === 'alert.resolved' && r.resolvedAt)
    lines.push(`Resolved: ${at(r.resolvedAt)}${r.resolvedBy === null ? ' (the condition cleared)' : ''}`);
  if (r.lat !== null && r.lon !== null) lines.push(`Where: ${r.lat.toFixed(5)}, ${r.lon.toFixed(5)}`);
  const details = Object.entries(r.details)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}: ${String(v)}`);
  if (details.length > 0) lines.push(`Details: ${details.join(', ')}`);
  return lines;
}

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

export function emailMessage(content: NotificationContent): EmailMessage {
  const subject = emailSubject(content);
  if (content.type === 'test') {
    const text = `This is a test of the notification channel "${content.channelName}". Alerts will arrive like this.\n\nConsole: ${content.consoleUrl}\n`;
    const html = `<p>This is a test of the notification channel “${escapeHtml(content.channelName)}”. Alerts will arrive like this.</p>
<p><a href="${escapeHtml(content.consoleUrl)}">Open the console</a></p>`;
    return { subject, text, html: page(subject, html) };
  }
  const listed = content.alerts.slice(0, EMAIL_MAX_LISTED);
  const rest = content.alerts.length - listed.length;
  const resolved = content.type === 'alert.resolved';
  const textParts: string[] = [];
  const htmlParts: string[] = [];
  if (content.alerts.length > 1) {
    const intro = `${content.alerts.length} alerts ${resolved ? 'were resolved' : 'were raised'} together.`;
    textParts.push(intro, '');
    htmlParts.push(`<p>${escapeHtml(intro)}</p>`);
  }
  for (const a of listed) {
    const link = alertUrl(content.consoleUrl, a.record.id);
    const title = `${resolved ? 'Resolved: ' : ''}${headline(a)}`;
    const lines = alertLines(a, content);
    textParts.push(title, ...lines, `Open in the console: ${link}`, '');
    htmlParts.push(
      `<h3 style="margin:16px 0 4px">${escapeHtml(title)}</h3>`,
      `<p style="margin:0">${lines.map(escapeHtml).join('<br>')}</p>`,
      `<p style="margin:4px 0 0"><a href="${escapeHtml(link)}">Open in the console</a></p>`,
    );
  }
  if (rest > 0) {
    const kind = listed[0]?.record.kind ?? '';
    const more = `… and ${rest} more`;
    const link = alertsListUrl(content.consoleUrl, kind);
    textParts.push(`${more}: ${link}`, '');
    htmlParts.push(`<p><a href="${escapeHtml(link)}">${escapeHtml(more)}</a></p>`);
  }
  textParts.push(`You get this because of the notification channel "${content.channelName}".`);
  htmlParts.push(
    `<p style="color:#666;font-size:12px">You get this because of the notification channel “${escapeHtml(content.channelName)}”.</p>`,
  );
  return { subject, text: `${textParts.join('\n')}\n`, html: page(subject, htmlParts.join('\n')) };
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:sans-serif;font-size:14px;line-height:1.4">
${body}
</body></html>
`;
}
