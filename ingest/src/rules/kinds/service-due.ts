// Service due: evaluated by the maintenance monitor (ingest/src/maintenance/monitor.ts) from the
// assets' meters, their service plans and the calendar, not record by record, so this module
// has no hooks; it is here so the engine's table of kinds stays complete and the rule's scope
// and asset kinds are read the same way as every other rule's.
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { RuleKindModule } from '../types.ts';

export const serviceDue: RuleKindModule<'service_due'> = {
  kind: 'service_due',
  assetKinds: RULE_ASSET_KINDS.service_due,
};

/** Job running late: evaluated by the job service (ingest/src/jobs/lateness.ts) from its ETAs, likewise without hooks. */
export const jobLate: RuleKindModule<'job_late'> = {
  kind: 'job_late',
  assetKinds: RULE_ASSET_KINDS.job_late,
};
