import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import { COMMANDS } from '../../src/cli/main';
import type { Severity } from '../../src/shared/checks/finding';
import { renderFindingCodesTable } from '../../src/shared/checks/findingCodesTable';
import { renderPlannedSettings, renderSettingsTable } from '../../src/shared/config/settingsTable';
import { logAlertSink, type ProtectionLog } from '../../src/shared/protection/protectionDeps';

const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it('has the settings table exactly as the catalogue renders it', () => {
    expect(readme).toContain(renderSettingsTable());
  });

  it('lists the planned settings exactly as the catalogue renders them', () => {
    expect(readme).toContain(renderPlannedSettings());
  });

  it('does not send readers to files they do not have', () => {
    expect(readme).not.toMatch(/DESIGN\.md/);
  });

  it('has the finding codes table exactly as the catalogue renders it', () => {
    expect(readme).toContain(renderFindingCodesTable());
  });

  it('documents every CLI command', () => {
    for (const c of COMMANDS) expect(readme).toContain(`iris-backup-guard ${c.name}`);
  });

  it('opens with the two set-up commands CI also uses', () => {
    expect(readme).toContain('npm install && npm run demo');
    expect(readme).toContain('npm install && npm test');
    expect(fs.readFileSync(path.join(__dirname, '../../.ci/run'), 'utf8')).toContain('npm test');
  });
});

/** The alert lines exactly as Application Insights stores them. */
async function loggedAlertLines(): Promise<string[]> {
  const lines: string[] = [];
  // The Node worker turns `context.error(message, details)` into one string with util.format
  // (@azure/functions src/InvocationModel.ts), and that string is the trace's message.
  const write = (message: string, details?: Record<string, unknown>): void => void lines.push(format(message, details));
  const log: ProtectionLog = { info: write, warn: write, error: write };
  const severities: Severity[] = ['critical', 'error', 'warning', 'info'];
  for (const severity of severities) {
    const vmId =
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/iris-prod-04';
    const alert = {
      severity,
      code: 'IrisLeftFrozen',
      message: 'iris-prod-04 (2026-11-21): IRIS may still be frozen after the backup: the post-script exited 1',
      at: '2026-11-21T01:40:00.000Z',
      runId: 'run-1',
      vmId,
      scope: { kind: 'run' as const, runId: 'run-1', vmId },
    };
    await logAlertSink(log).raise(alert);
  }
  return lines;
}

describe("README's alert rule query", () => {
  const query = /```kusto\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  // KQL regular expressions are RE2; the README keeps to the part of the syntax JavaScript reads the same way.
  const extracts = [...query.matchAll(/extract\(@"([^"]+)", (\d), Message\)/g)].map((m) => ({
    pattern: new RegExp(m[1] ?? '(?!)'),
    group: Number(m[2]),
  }));

  it('reads the workspace table and picks the ALERT lines', () => {
    expect(query).toMatch(/^AppTraces\n\| where Message startswith "ALERT "\n/);
    expect(extracts.map((e) => e.group)).toEqual([1, 2]);
  });

  it('extracts the severity and the code from every alert line the app writes', async () => {
    const lines = await loggedAlertLines();
    expect(lines).toHaveLength(4);
    for (const [i, severity] of ['critical', 'error', 'warning', 'info'].entries()) {
      const line = lines[i] ?? '';
      expect(line.startsWith('ALERT ')).toBe(true);
      expect(extracts.map((e) => e.pattern.exec(line)?.[e.group])).toEqual([severity, 'IrisLeftFrozen']);
    }
  });

  it('matches the example alert lines the README shows', () => {
    const examples = readme.split('\n').filter((l) => l.startsWith('ALERT '));
    expect(examples.length).toBeGreaterThan(0);
    for (const line of examples) for (const e of extracts) expect(e.pattern.exec(line)?.[e.group]).toBeTruthy();
  });

  it('does not match other log lines', () => {
    for (const line of ['nightlyProtection 2026-11-21: 3 enrolled VMs', 'ALERTS are configured', 'ALERT loud X: y']) {
      for (const e of extracts) expect(e.pattern.exec(line)).toBeNull();
    }
  });
});
