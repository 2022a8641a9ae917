// The ingest tier's Prometheus metrics, registered on the registry the process exposes.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface IngestMetrics {
  messages: Counter<'topic'>;
  records: Counter<'outcome'>;
  rejects: Counter<'reason'>;
  rejectsUnstored: Counter;
  commitRows: Histogram;
  commitSeconds: Histogram;
  commitFailures: Counter;
  commitsRefused: Counter;
  pendingRows: Gauge;
  positionsPublished: Counter;
  lateRecords: Counter;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const registers = [registry];
  return {
    messages: new Counter({
      name: 'fleet_ingest_messages_total',
      help: 'Device messages handled by the ingest pipeline, by topic',
      labelNames: ['topic'],
      registers,
    }),
    records: new Counter({
      name: 'fleet_ingest_records_total',
      help: 'Telemetry and event records, by outcome (stored, rejected)',
      labelNames: ['outcome'],
      registers,
    }),
    rejects: new Counter({
      name: 'fleet_ingest_rejects_total',
      help: 'Rejected payloads and records, by reason',
      labelNames: ['reason'],
      registers,
    }),
    rejectsUnstored: new Counter({
      name: 'fleet_ingest_rejects_unstored_total',
      help: 'Reject rows not stored because the device was over its reject budget (counted; the next stored row says how many)',
      registers,
    }),
    commitRows: new Histogram({
      name: 'fleet_ingest_commit_rows',
      help: 'Rows per group commit to QuestDB',
      buckets: [1, 10, 50, 100, 500, 1000, 5000, 10000, 20000],
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'fleet_ingest_commit_seconds',
      help: 'Duration of a successful group commit',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    commitFailures: new Counter({
      name: 'fleet_ingest_commit_failures_total',
      help: 'Failed group commits (retried)',
      registers,
    }),
    commitsRefused: new Counter({
      name: 'fleet_ingest_commits_refused_total',
      help: 'Commits QuestDB refused for their content (their writes then go one by one; the offending one becomes a store_refused reject)',
      registers,
    }),
    pendingRows: new Gauge({
      name: 'fleet_ingest_pending_rows',
      help: 'Rows waiting for or in a commit',
      registers,
    }),
    positionsPublished: new Counter({
      name: 'fleet_ingest_positions_published_total',
      help: 'Live positions published on the event bus',
      registers,
    }),
    lateRecords: new Counter({
      name: 'fleet_ingest_late_records_total',
      help: 'Records stored but older than the live position (replays, out of order)',
      registers,
    }),
  };
}
