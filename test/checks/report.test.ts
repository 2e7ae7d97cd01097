import { checkSetup } from '../../src/shared/checks/checkSetup';
import type { Finding } from '../../src/shared/checks/finding';
import { findingsToJson } from '../../src/shared/checks/formatFindings';
import { formatFindingsText } from '../../src/shared/report/findingsText';
import { summarizeNextBackup } from '../../src/shared/checks/summarizeNextBackup';
import { CONFIG_PATH, factsWith, healthyFacts } from './support/probeFactsBuilder';

const f = (impact: Finding['impact'], severity: Finding['severity'] = 'error'): Finding => ({
  code: 'X',
  severity,
  impact,
  message: 'm',
  fix: 'x',
});

describe('summarizeNextBackup', () => {
  it.each([
    [[], 'app-consistent'],
    [[f('app-consistent', 'info')], 'app-consistent'],
    [[f('unknown'), f('app-consistent')], 'unknown'],
    [[f('unknown'), f('file-system-fallback')], 'file-system-fallback'],
    [[f('no-snapshot'), f('file-system-fallback')], 'no-snapshot'],
    [[f('file-system-fallback'), f('iris-left-frozen'), f('no-snapshot')], 'iris-left-frozen'],
  ] as const)('%j → %s', (findings, expected) => {
    expect(summarizeNextBackup(findings)).toBe(expected);
  });
});

describe('formatFindingsText', () => {
  it('prints the summary line and a clean bill of health', () => {
    expect(formatFindingsText('vm1', [], healthyFacts())).toBe(
      'vm1: Next backup: app-consistent\nChecked at 2026-11-21T02:00:00Z (VM clock).\nNo findings: the script setup passes every check.\n',
    );
  });

  it('prints one block per finding with severity, code, extension code, impact, message and fix', () => {
    const facts = factsWith((x) => (x.config = { path: CONFIG_PATH, exists: false, isFile: false }));
    const text = formatFindingsText('vm1', checkSetup(facts, { vmId: 'vm1' }));
    expect(text).toBe(
      [
        'vm1: Next backup: falls back to file-system-consistent',
        '1 finding(s): 1 error',
        '',
        '[ERROR] PluginConfigNotFound (extension code 316)',
        '  Impact: the backup falls back to file-system-consistent',
        `  ${CONFIG_PATH} does not exist: every backup is silently file-system-consistent and no script runs (code 316).`,
        '  Fix: iris-backup-guard install --vm vm1',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['may leave IRIS frozen', [f('iris-left-frozen', 'critical')], 'Next backup: may leave IRIS frozen'],
    ['takes no snapshot', [f('no-snapshot')], 'Next backup: takes no snapshot'],
    ['cannot be predicted', [f('unknown', 'warning')], 'Next backup: cannot be predicted'],
  ])('summarises %s', (_name, findings, expected) => {
    expect(formatFindingsText('vm1', findings)).toContain(expected);
  });

  it('shows terminal escape sequences and bidi overrides from the VM as visible escapes', () => {
    const text = formatFindingsText('vm1', [{ ...f('unknown'), message: 'path \u001b[31mred\u001b[0m \u202etxt.exe' }]);
    expect(text).toContain('path \\x1b[31mred\\x1b[0m \\u202etxt.exe');
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u202e');
  });

  it('a line break inside a message cannot forge another finding', () => {
    const text = formatFindingsText('vm1', [{ ...f('unknown'), message: 'a\n[CRITICAL] Fake' }]);
    expect(text).toContain('a\\x0a[CRITICAL] Fake');
    expect(text).not.toMatch(/^\[CRITICAL\] Fake/m);
  });
});

describe('findingsToJson', () => {
  it('produces the documented shape', () => {
    const findings = checkSetup(
      factsWith((x) => {
        x.iris.wd = [{ instance: 'IRIS', rc: 5 }];
        x.extension.versions = [];
      }),
      { vmId: 'vm1' },
    );
    expect(JSON.parse(JSON.stringify(findingsToJson('vm1', findings, healthyFacts())))).toEqual({
      schema: 'iris-backup-guard/check@1',
      vm: 'vm1',
      checkedAt: '2026-11-21T02:00:00Z',
      nextBackup: 'iris-left-frozen',
      counts: { critical: 1, error: 0, warning: 0, info: 1 },
      findings: [
        {
          code: 'IrisAlreadyFrozen',
          severity: 'critical',
          impact: 'iris-left-frozen',
          message:
            'IRIS instance IRIS is frozen right now (IsWDSuspendedExt exited 5): writes are suspended and logins may hang. Thaw it now.',
          fix: "sudo iris session IRIS -U%SYS '##Class(Backup.General).ExternalThaw()'",
          subject: 'IRIS',
        },
        {
          code: 'BackupExtensionNotInstalled',
          severity: 'info',
          impact: 'app-consistent',
          message:
            'No VMSnapshotLinux extension is installed under /var/lib/waagent yet; Azure Backup installs it on the first backup.',
          fix: 'Run a first backup (iris-backup-guard backs up enrolled VMs nightly).',
        },
      ],
    });
  });
});
