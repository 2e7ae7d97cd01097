/**
 * The controls the evidence pack answers, each with the requirement in a short quote and the evidence in the pack
 * that answers it, and per VM whether the period's evidence satisfies it. Pure.
 *
 * Only a restore drill that passed counts as a test that verified recovery: a drill still under way, a failed or
 * inconclusive one proves no restore (a failed one is still a record of testing, HIPAA (D), and a reason to revise).
 * A passed drill has restored the point into a VM on the isolated drill network, had the verifier show the VM was
 * cut off from production before IRIS started (drills/drillOutcome.ts), started IRIS and run its integrity checks.
 */

export type ControlStatus = 'met' | 'exception' | 'not-met';

/** Which evidence answers a control; decides how a VM's facts are judged. */
export type EvidenceBasis =
  /** Restore drills with integrity checks and measured RTO/RPO, judged against the targets (the objectives). */
  | 'restore-objectives'
  /** Restore drills with integrity checks and measured recovery times. */
  | 'restore-drills'
  | 'integrity-check'
  | 'isolated-restore'
  | 'segregated-restore'
  | 'backups-tested'
  | 'test-records';

export interface Control {
  id: string;
  framework: string;
  control: string;
  /** The requirement, quoted short. */
  requirement: string;
  /** What in the pack answers it. */
  evidence: string;
  basis: EvidenceBasis;
}

const DRILL_EVIDENCE =
  'drills.csv: restore drills with start/end, the IRIS integrity result, measured RTO and RPO against the targets';

export const CONTROLS: readonly Control[] = [
  {
    id: 'SOC2-A1.3',
    framework: 'SOC 2 (TSC 2017)',
    control: 'A1.3',
    requirement: 'The entity tests recovery plan procedures supporting system recovery to meet its objectives.',
    evidence: `${DRILL_EVIDENCE}; failed drills with their stage and reason (remediation)`,
    basis: 'restore-objectives',
  },
  {
    id: 'ISO27001-A.8.13',
    framework: 'ISO/IEC 27001:2022',
    control: 'A.8.13',
    requirement: 'Backup copies of information, software and systems shall be maintained and regularly tested.',
    evidence: 'backups.csv: every backup with its IRIS consistency verdict; drills.csv: the restore tests',
    basis: 'backups-tested',
  },
  {
    id: 'HIPAA-164.308(a)(7)(ii)(D)',
    framework: 'HIPAA Security Rule',
    control: '164.308(a)(7)(ii)(D)',
    requirement: 'Implement procedures for periodic testing and revision of contingency plans.',
    evidence: 'drills.csv: the record of each restore test, its result, and the failed stage and reason to act on',
    basis: 'test-records',
  },
  {
    id: 'NIST-CP-4',
    framework: 'NIST SP 800-53 Rev. 5',
    control: 'CP-4',
    requirement: 'Test the contingency plan to determine its effectiveness and readiness to execute it.',
    evidence: DRILL_EVIDENCE,
    basis: 'restore-drills',
  },
  {
    id: 'NIST-CP-9(1)',
    framework: 'NIST SP 800-53 Rev. 5',
    control: 'CP-9(1)',
    requirement: 'Test backup information to verify media reliability and information integrity.',
    evidence: 'drills.csv: the IRIS integrity check of every database on the restored copy (integrity = clean)',
    basis: 'integrity-check',
  },
  {
    id: 'NIST-CP-9(2)',
    framework: 'NIST SP 800-53 Rev. 5',
    control: 'CP-9(2)',
    requirement:
      'Use a sample of backup information in the restoration of selected system functions as part of contingency plan testing.',
    evidence: 'drills.csv: recovery points restored into a separate drill VM (drillVmName, restoreJobId)',
    basis: 'isolated-restore',
  },
  {
    id: 'DORA-12(2)',
    framework: 'EU DORA',
    control: 'Art. 12(2)',
    requirement:
      'Testing of the backup procedures and restoration and recovery procedures shall be undertaken periodically.',
    evidence: DRILL_EVIDENCE,
    basis: 'restore-drills',
  },
  {
    id: 'DORA-12(3)',
    framework: 'EU DORA',
    control: 'Art. 12(3)',
    requirement: 'Restore on ICT systems physically and logically segregated from the source ICT system.',
    evidence: 'drills.csv: passed drills, whose VM was shown cut off from production before IRIS started',
    basis: 'segregated-restore',
  },
];

/** What one VM's runs in the period show, as counts and comparisons with the targets. */
export interface VmTestFacts {
  backups: number;
  irisConsistentBackups: number;
  /** Drills with a verdict (passed, failed or inconclusive). */
  drillsFinished: number;
  drillsPassed: number;
  /** Passed drills whose integrity check of the restored copy was clean. */
  passedWithCleanIntegrity: number;
  /** Passed drills with a measured recovery time. */
  passedWithRto: number;
  /** The last passed drill's RTO is over the target; undefined when there is none to compare. */
  rtoOverTarget?: boolean;
  /** The RPO at the end of the period is over the target; undefined when no point passed a drill. */
  rpoOverTarget?: boolean;
}

export interface ControlVerdict {
  id: string;
  status: ControlStatus;
  /** Why, in one sentence. */
  note: string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function noPassedDrill(f: VmTestFacts): string {
  return f.drillsFinished === 0
    ? 'no restore drill finished in the period'
    : `no restore drill passed in the period (${plural(f.drillsFinished, 'drill')} failed or inconclusive)`;
}

export function controlVerdictOf(control: Control, f: VmTestFacts): ControlVerdict {
  const verdict = (status: ControlStatus, note: string): ControlVerdict => ({ id: control.id, status, note });
  const passed = plural(f.drillsPassed, 'restore drill');
  switch (control.basis) {
    case 'restore-objectives':
    case 'restore-drills': {
      if (f.drillsPassed === 0) return verdict('not-met', noPassedDrill(f));
      if (f.passedWithRto === 0) return verdict('exception', `${passed} passed, but no recovery time was measured`);
      if (control.basis === 'restore-objectives' && (f.rtoOverTarget === true || f.rpoOverTarget === true)) {
        const over = [f.rtoOverTarget === true ? 'RTO' : '', f.rpoOverTarget === true ? 'RPO' : '']
          .filter((s) => s !== '')
          .join(' and ');
        return verdict(
          'exception',
          `${passed} passed, but the measured ${over} is over the target: remediation needed`,
        );
      }
      return verdict('met', `${passed} passed with integrity checked and recovery time measured`);
    }
    case 'integrity-check':
      return f.passedWithCleanIntegrity > 0
        ? verdict(
            'met',
            `${plural(f.passedWithCleanIntegrity, 'restored copy', 'restored copies')} passed the IRIS integrity check`,
          )
        : verdict('not-met', f.drillsPassed === 0 ? noPassedDrill(f) : 'no restored copy had a clean integrity check');
    case 'isolated-restore':
      return f.drillsPassed > 0
        ? verdict('met', `${passed} restored a recovery point into a separate drill VM and verified it`)
        : verdict('not-met', noPassedDrill(f));
    case 'segregated-restore':
      return f.drillsPassed > 0
        ? verdict('met', `${passed} ran on a drill VM shown cut off from production before IRIS started`)
        : verdict('not-met', noPassedDrill(f));
    case 'backups-tested':
      if (f.backups === 0) return verdict('not-met', 'no backup in the period');
      if (f.drillsPassed === 0) return verdict('not-met', 'backups taken, but none tested by a passed restore drill');
      if (f.irisConsistentBackups === 0)
        return verdict('exception', `tested, but none of the ${plural(f.backups, 'backup')} was IRIS-consistent`);
      return verdict(
        'met',
        `${f.irisConsistentBackups} of ${plural(f.backups, 'backup')} IRIS-consistent; ${passed} passed`,
      );
    case 'test-records':
      if (f.drillsFinished === 0) return verdict('not-met', 'no restore test recorded in the period');
      if (f.drillsPassed === 0)
        return verdict(
          'exception',
          `${plural(f.drillsFinished, 'test')} recorded, none passed: revise the plan (see the failed stages)`,
        );
      return verdict(
        'met',
        `${plural(f.drillsFinished, 'test')} recorded with their results; ${f.drillsPassed} passed`,
      );
  }
}

export const controlVerdictsOf = (facts: VmTestFacts): ControlVerdict[] =>
  CONTROLS.map((c) => controlVerdictOf(c, facts));

/** A control across the fleet: how many VMs meet it, and which do not. */
export interface FleetControl extends Control {
  vms: number;
  met: number;
  exception: number;
  notMet: number;
  /** The names of the VMs with an exception or not meeting it, in VM order. */
  exceptions: string[];
  notMetVms: string[];
}

export function fleetControlsOf(
  vms: readonly { vmName: string; controls: readonly ControlVerdict[] }[],
): FleetControl[] {
  return CONTROLS.map((c) => {
    const row: FleetControl = { ...c, vms: vms.length, met: 0, exception: 0, notMet: 0, exceptions: [], notMetVms: [] };
    for (const vm of vms) {
      const status = vm.controls.find((v) => v.id === c.id)?.status ?? 'not-met';
      if (status === 'met') row.met += 1;
      else if (status === 'exception') {
        row.exception += 1;
        row.exceptions.push(vm.vmName);
      } else {
        row.notMet += 1;
        row.notMetVms.push(vm.vmName);
      }
    }
    return row;
  });
}
