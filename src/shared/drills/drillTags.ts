/**
 * The tags the app puts on every resource a restore drill creates. The clean-up deletes only what carries both
 * DRILL_TAG_MANAGED_BY = MANAGED_BY_VALUE and a non-empty DRILL_TAG_RUN (cleanupGuard.ts).
 */
export const DRILL_TAG_MANAGED_BY = 'ibg-managed-by';
export const MANAGED_BY_VALUE = 'iris-backup-guard';
/** The drill run that created the resource. */
export const DRILL_TAG_RUN = 'ibg-drill-run';
/** The ARM id of the VM whose recovery point was restored. */
export const DRILL_TAG_SOURCE_VM = 'ibg-source-vm';
/** ISO 8601 time after which the sweep may remove the resource. */
export const DRILL_TAG_EXPIRES = 'ibg-expires';
