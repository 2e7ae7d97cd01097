/**
 * A VM just written with the enrollment tag gets the same read-only check the CLI's `check` runs (the probe by
 * managed Run Command, judged by checkSetup), now rather than at its first nightly run: its findings are logged, and
 * an error or critical one is alerted. Once per VM and UTC day (a 'vm-check' entry in the event ledger), however
 * often the VM is written.
 */
import type { Alert } from '../alerts/alert';
import { raiseAlert } from './alertDelivery';
import { dedupKey } from '../alerts/alertDedup';
import { sameResourceId } from '../azure/armResourceId';
import { checkSetup } from '../checks/checkSetup';
import type { Finding, Severity } from '../checks/finding';
import { toError } from '../errors/appError';
import { runCommandName } from '../runs/runCommandName';
import { vmKeyOf } from '../runs/run';
import { capText } from '../runs/runLimits';
import { hasTag } from './enrollment';
import type { ProtectionDeps } from './protectionDeps';
import { runProbe } from './vmProbe';

export type TaggedVmCheckOutcome =
  | { outcome: 'vm-checked'; vmId: string; findings: number; worst?: Severity; alerted: boolean }
  /** The probe returned nothing usable (the VM is stopped, Run Command refused): reported, checked again tomorrow. */
  | { outcome: 'vm-check-failed'; vmId: string; problems: string[] }
  | { outcome: 'vm-checked-today'; vmId: string }
  | { outcome: 'vm-not-tagged'; vmId: string }
  | { outcome: 'vm-gone'; vmId: string }
  | { outcome: 'vm-not-protected'; vmId: string };

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3 };
const ALERTED: readonly Severity[] = ['critical', 'error'];
/** Findings quoted in an alert: the rest are in the log line. */
const ALERT_FINDINGS_MAX = 10;

export const worstSeverity = (findings: readonly Finding[]): Severity | undefined =>
  [...findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])[0]?.severity;

/** The alert for a newly tagged VM's findings at error level or worse; undefined when there are none. */
export function taggedVmAlert(
  vmId: string,
  vmName: string,
  findings: readonly Finding[],
  at: string,
): Alert | undefined {
  const serious = findings.filter((f) => ALERTED.includes(f.severity));
  const worst = worstSeverity(serious);
  if (worst === undefined) return undefined;
  const shown = serious.slice(0, ALERT_FINDINGS_MAX);
  return {
    severity: worst,
    code: 'TaggedVmSetupProblem',
    message:
      `${vmName} was just tagged for enrolment and its backup script setup has ${serious.length} ` +
      `finding(s) at error level or worse: ${serious.map((f) => f.code).join(', ')}`,
    scope: { kind: 'vm', vmId },
    at,
    vmName,
    evidence: shown.map((f) => capText(`${f.severity} ${f.code}: ${f.message}`, 500)),
    fix: shown.map((f) => capText(`${f.code}: ${f.fix}`, 500)).join('\n'),
  };
}

/** Whether a configured vault of the VM's subscription protects it (listing failures count as "unknown": no). */
async function protectedByConfiguredVault(deps: ProtectionDeps, vmId: string): Promise<boolean> {
  const sub = /^\/subscriptions\/([^/]+)/i.exec(vmId)?.[1]?.toLowerCase();
  for (const vault of deps.settings.vaults.filter((v) => v.subscriptionId.toLowerCase() === sub)) {
    try {
      for await (const item of deps.gateways.backup.listProtectedVms(vault))
        if (sameResourceId(item.vmId, vmId)) return true;
    } catch (e) {
      deps.log.warn('Could not list a vault’s protected VMs for a tagged VM', {
        vaultId: vault.id,
        vmId,
        error: toError(e).message,
      });
    }
  }
  return false;
}

export async function checkTaggedVm(deps: ProtectionDeps, vmId: string): Promise<TaggedVmCheckOutcome> {
  const tag = deps.settings.enrollment.tag;
  if (!tag) return { outcome: 'vm-not-tagged', vmId };
  const vm = await deps.gateways.compute.getVm(vmId);
  // A write event that arrives after the VM's delete: nothing to check.
  if (vm === undefined) return { outcome: 'vm-gone', vmId };
  if (!hasTag(vm, tag)) return { outcome: 'vm-not-tagged', vmId };
  if (!(await protectedByConfiguredVault(deps, vmId))) {
    deps.log.warn('A VM carries the enrollment tag but no configured vault protects it: it cannot be backed up', {
      vmId,
      tag: `${tag.name}=${tag.value}`,
    });
    return { outcome: 'vm-not-protected', vmId };
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const day = at.slice(0, 10);
  const ledgerKey = `${vmKeyOf(vmId)}/${day}`;
  if (deps.events && (await deps.events.get('vm-check', ledgerKey)) !== undefined)
    return { outcome: 'vm-checked-today', vmId };

  const probe = await runProbe(deps.gateways.compute, vmId, {
    mode: 'check',
    name: runCommandName('check', now),
    timeoutInSeconds: deps.settings.runCommandTimeoutInSeconds,
  });
  if (!probe.facts) {
    deps.log.warn('The check of a newly tagged VM returned nothing usable', { vmId, problems: probe.problems });
    return { outcome: 'vm-check-failed', vmId, problems: probe.problems };
  }
  const findings = checkSetup(probe.facts, { vmId });
  const worst = worstSeverity(findings);
  const recorded = await deps.events?.record({
    kind: 'vm-check',
    key: ledgerKey,
    at,
    outcome: `${findings.length} finding(s)${worst === undefined ? '' : `, worst ${worst}`}`,
  });
  // Another instance checked it at the same time and recorded first: its report stands.
  if (recorded === 'duplicate') return { outcome: 'vm-checked-today', vmId };
  deps.log.info('Check of a VM newly tagged for enrolment', {
    vmId,
    findings: findings.map((f) => ({ code: f.code, severity: f.severity, message: capText(f.message, 500) })),
    ...(probe.problems.length > 0 ? { probeProblems: probe.problems } : {}),
  });
  const alert = taggedVmAlert(vmId, vm.name, findings, at);
  if (alert) await raiseAlert(deps, `tagged-vm-check/${at.slice(0, 10)}/${dedupKey(alert)}`, alert);
  return {
    outcome: 'vm-checked',
    vmId,
    findings: findings.length,
    ...(worst === undefined ? {} : { worst }),
    alerted: alert !== undefined,
  };
}
