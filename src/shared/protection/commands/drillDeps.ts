/** What the drill commands need beyond the backup and compute gateways; absent only when drills are off. */
import type { DrillResourceGateway, DrillScope, EvidenceStore } from '../../azure/drillResources';
import type { DrillTargetSettings } from '../../drills/drillPolicy';
import type { DrillRecordStore } from '../../store/drillRecordStore';
import type { ProtectionDeps } from '../protectionDeps';

export interface DrillDeps {
  drills: DrillResourceGateway;
  evidence: EvidenceStore;
  records: DrillRecordStore;
  target: DrillTargetSettings;
  scope: DrillScope;
}

export function drillDepsOf(deps: ProtectionDeps): DrillDeps {
  const { drills, evidence } = deps.gateways;
  const target = deps.settings.drills?.target;
  if (drills === undefined || evidence === undefined || deps.drillRecords === undefined || target === undefined) {
    throw new Error(
      'A drill command ran while drills are not configured (IBG_DRILL_ENABLED and the IBG_DRILL_* settings)',
    );
  }
  return { drills, evidence, records: deps.drillRecords, target, scope: { resourceGroupId: target.resourceGroupId } };
}
