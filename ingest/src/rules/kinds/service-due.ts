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
