// Real servers the notification tests deliver to, on free ports: an HTTP receiver whose answer
// each test scripts (2xx, 500, a hang, a closed socket) and which checks every request's
// signature with the function docs/notifications.md gives receivers (taken from that file, so
// the documentation is what is tested), and an SMTP server (smtp-server) keeping what arrived,
// parsed (mailparser). Also a clock to move, and alerts written as the rule engine writes them.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SqlExecutor } from '@fleet/shared/db';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type Verifier = (
  secret: string,
  headers: IncomingHttpHeaders,
  rawBody: Buffer | string,
  nowS?: number,
) => boolean;

/** The receiver's check exactly as docs/notifications.md prints it. */
export async function documentedVerifier(): Promise<Verifier> {
  const doc = readFileSync(resolve(import.meta.dirname, '../../../../docs/notifications.md'), 'utf8');
  const block = [...doc.matchAll(/```js\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? '')
    .find((code) => code.startsWith('// verify-fleet-webhook.mjs'));
  if (!block) throw new Error('docs/notifications.md has no verify-fleet-webhook.mjs example');
  const file = join(mkdtempSync(join(tmpdir(), 'fleet-doc-')), 'verify-fleet-webhook.mjs');
  writeFileSync(file, block);
  const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
    verifyFleetWebhook: Verifier;
  };
  return module.verifyFleetWebhook;
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  /** The signature checked with the receiver's secret and clock (undefined: no secret set). */
  valid: boolean | undefined;
  json: { id: string; type: string; sentAt: string; alerts: { id: string; [k: string]: unknown }[] };
}

/** What the receiver does with its n-th request (0-based). */
export type Answer = { status: number } | 'hang' | 'close';

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Responses held open by 'hang', ended by close(). */
  readonly hanging: ServerResponse[] = [];
  secret: string | undefined;
  answer: (n: number) => Answer = () => ({ status: 204 });
  readonly #server: Server;
  readonly #verify: Verifier;
  readonly #nowS: () => number;
  #port = 0;

  constructor(verify: Verifier, nowMs: () => number) {
    this.#verify = verify;
    this.#nowS = () => Math.floor(nowMs() / 1000);
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const n = this.requests.length;
        this.requests.push({
          headers: req.headers,
          body: raw.toString('utf8'),
          valid:
            this.secret === undefined ? undefined : this.#verify(this.secret, req.headers, raw, this.#nowS()),
          json: JSON.parse(raw.toString('utf8')),
        });
        const answer = this.answer(n);
        if (answer === 'hang') this.hanging.push(res);
        else if (answer === 'close') req.socket.destroy();
        else res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(`answer ${answer.status}`);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((ok) => this.#server.listen(0, '127.0.0.1', ok));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/hook`;
  }

  /** Alert ids of every request, in order of arrival. */
  alertIds(): string[] {
    return this.requests.flatMap((r) => r.json.alerts.map((a) => a.id));
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((ok) => this.#server.close(() => ok()));
  }
}

/** An SMTP server on a free port that keeps every message it accepts. */
export class MailSink {
  readonly mails: ParsedMail[] = [];
  readonly #server: SMTPServer;
  #port = 0;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            this.mails.push(mail);
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((ok) => this.#server.listen(0, '127.0.0.1', () => ok()));
    this.#port = (this.#server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.#port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((ok) => this.#server.close(() => ok()));
  }
}

/**
 * Real time plus an offset that tests move forward (backoff and windows, without waiting). The
 * database stamps not_before with its own now(), so a test resets the offset before it writes
 * alerts whose window it means to watch.
 */
export function movableClock(): { now: () => number; advance(ms: number): void; reset(): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms) {
      offset += ms;
    },
    reset() {
      offset = 0;
    },
  };
}

/** Polls until `check` holds; throws with `what` after `timeoutMs` (a hang, not a measurement). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface NewAlert {
  orgId: string;
  kind?: string;
  severity?: 'info' | 'warning' | 'critical';
  title?: string;
  late?: boolean;
  assetId?: string | null;
  deviceId?: string | null;
  startedAt?: Date;
  raisedAt?: Date;
  suppressedBy?: string | null;
  details?: Record<string, unknown>;
}

/** An alert written as the rule engine writes one: as the table's owner, no RLS. */
export async function insertAlert(db: SqlExecutor, a: NewAlert): Promise<string> {
  const rows = await db.query<{ id: string }>(
    `insert into alerts (org_id, kind, severity, title, device_id, asset_id, episode_key, active, started_at,
       raised_at, late, lat, lon, details, suppressed_by)
     values ($1, $2, $3, $4, $5, $6, $7, true, $8, $9, $10, 60.17, 24.94, $11::jsonb, $12)
     returning id::text as id`,
    [
      a.orgId,
      a.kind ?? 'overspeed',
      a.severity ?? 'warning',
      a.title ?? 'Speeding over 90 km/h',
      a.deviceId ?? null,
      a.assetId ?? null,
      `test:${randomUUID()}`,
      a.startedAt ?? new Date(Date.now() - 60_000),
      a.raisedAt ?? new Date(),
      a.late ?? false,
      JSON.stringify(a.details ?? { peakKmh: 97, limitKmh: 90 }),
      a.suppressedBy ?? null,
    ],
  );
  return (rows[0] as { id: string }).id;
}
