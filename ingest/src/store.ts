// Wires the store step: schema, QuestDB transport and the group committer, with metrics and
// logging of outages (once when they start, once when they end, not once per retry).
import type { FleetConfig, Logger } from '@fleet/shared';
import { errorMessage } from '@fleet/shared';
import { QuestDbHttp } from '@fleet/shared/questdb';
import { GroupCommitWriter } from './group-commit.ts';
import type { IngestMetrics } from './metrics.ts';
import { QuestDbTransport } from './questdb-transport.ts';
import type { StoredRow } from './rows.ts';
import { ensureSchema } from './schema.ts';

export interface TelemetryStore {
  writer: GroupCommitWriter<StoredRow>;
  questdb: QuestDbHttp;
  close(): Promise<void>;
}

type StoreConfig = Pick<
  FleetConfig,
  | 'TELEMETRY_RETENTION_DAYS'
  | 'INGEST_FLUSH_INTERVAL_MS'
  | 'INGEST_MAX_COMMIT_ROWS'
  | 'INGEST_MAX_INFLIGHT_COMMITS'
  | 'INGEST_MAX_PENDING_ROWS'
  | 'INGEST_RETRY_MAX_MS'
>;

export async function openTelemetryStore(
  questdbUrl: string,
  config: StoreConfig,
  metrics: IngestMetrics,
  log: Logger,
): Promise<TelemetryStore> {
  const questdb = new QuestDbHttp(questdbUrl);
  await ensureSchema(questdb, config.TELEMETRY_RETENTION_DAYS);
  const transport = new QuestDbTransport(questdbUrl);
  let failureLogged = false;
  let refusalLoggedAt = 0;
  const writer = new GroupCommitWriter<StoredRow>(
    transport,
    {
      flushIntervalMs: config.INGEST_FLUSH_INTERVAL_MS,
      maxCommitRows: config.INGEST_MAX_COMMIT_ROWS,
      maxInFlight: config.INGEST_MAX_INFLIGHT_COMMITS,
      maxPendingRows: config.INGEST_MAX_PENDING_ROWS,
      retryMaxMs: config.INGEST_RETRY_MAX_MS,
    },
    {
      committed(rows, ms) {
        metrics.commitRows.observe(rows);
        metrics.commitSeconds.observe(ms / 1000);
        metrics.pendingRows.set(writer.pendingRows);
      },
      failed(rows, err, nextRetryMs) {
        metrics.commitFailures.inc();
        metrics.pendingRows.set(writer.pendingRows);
        if (!failureLogged) {
          failureLogged = true;
          log.error(
            { rows, err: errorMessage(err), nextRetryMs },
            'QuestDB commit failed; holding rows and retrying',
          );
        }
      },
      refused(rows, err) {
        metrics.commitsRefused.inc();
        // Rows are refused for what a device sent, so an attacker could repeat it: a line a minute.
        if (Date.now() - refusalLoggedAt > 60_000) {
          refusalLoggedAt = Date.now();
          log.warn(
            { rows, err: errorMessage(err) },
            'QuestDB refused rows; committing their writes one by one',
          );
        }
      },
      recovered(downForMs) {
        failureLogged = false;
        log.warn({ downForMs, pendingRows: writer.pendingRows }, 'QuestDB commits succeed again');
      },
    },
  );
  return {
    writer,
    questdb,
    async close() {
      await writer.close();
      await transport.close();
    },
  };
}
