/**
 * The whole demo, as `npm run demo -- --json` runs it: setup checks, a nightly cycle, verdicts for every VM of the
 * fleet, and every ARM exchange validated against the official OpenAPI specs with `oav validate-traffic`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderDemoReport, type DemoSummary } from '../../sandbox/demo/demoReport';
import { formatTrafficIssues, validateTraffic } from '../../sandbox/trafficValidation';
import { FOLLOW_UP_MS } from '../../src/shared/protection/followUpScripts';
import { readVmScript } from '../../src/shared/vmScripts/vmScripts';
import { captureIo } from '../cli/cliIo';
import type { EvidencePack } from '../../src/shared/evidence/evidencePack';
import { drillRecordOf } from '../../src/shared/drills/drillRecord';
import { runKindOf } from '../../src/shared/evidence/runSummary';

jest.setTimeout(180_000);

interface Exchange {
  liveRequest: { url: string; method: string; body?: { properties?: { source?: { script?: string } } } | null };
}

describe('demo', () => {
  const trafficDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-demo-traffic-'));
  const evidenceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-demo-evidence-'));
  let summary: DemoSummary;
  let exitCode: number;
  let stderr: string;
  let consoleWarnings: string[];
  let tickMs: number;

  beforeAll(async () => {
    // @azure/functions warns through console.warn when a function module is loaded outside the Functions host, at
    // import time: spy first, then load the demo.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { runDemo, TICK_MS } = await import('../../sandbox/demo/runDemo');
    tickMs = TICK_MS;
    const io = captureIo(process.env);
    exitCode = await runDemo(['--json', '--traffic-dir', trafficDir, '--evidence-dir', evidenceDir], io);
    summary = JSON.parse(io.stdout()) as DemoSummary;
    stderr = io.stderr();
    consoleWarnings = warn.mock.calls.map((args) => args.map(String).join(' '));
    warn.mockRestore();
  });
  afterAll(() => {
    fs.rmSync(trafficDir, { recursive: true, force: true });
    fs.rmSync(evidenceDir, { recursive: true, force: true });
  });

  describe("the evidence export of the demo's night", () => {
    // A field the run does not have is absent from its row, not present as undefined.
    const definedOnly = (o: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    const read = (name: string): string => fs.readFileSync(path.join(evidenceDir, name), 'utf8');
    const pack = () => JSON.parse(read('evidence.json')) as EvidencePack;

    it('has one backup row per run of the night, each field exactly as the run stored it', () => {
      const backups = summary.runs.filter((r) => ['nightly', 'external'].includes(runKindOf(r.id)));
      expect(backups.length).toBeGreaterThan(0);
      const rows = pack().backups;
      expect(rows.map((r) => r.runId).sort()).toEqual(backups.map((r) => r.id).sort());
      for (const run of backups) {
        const row = rows.find((r) => r.runId === run.id);
        expect(row).toEqual(
          expect.objectContaining(
            definedOnly({
              night: run.night,
              vmName: run.target.vmName,
              vmId: run.target.vmId,
              stage: run.stage,
              jobId: run.backup.jobId,
              jobStatus: run.backup.jobStatus,
              jobStart: run.backup.jobStartTime,
              jobEnd: run.backup.jobEndTime,
              recoveryPointTime: run.recoveryPoint?.time,
              consistency: run.verdict?.consistency,
              irisLeftFrozen: run.verdict?.irisLeftFrozen,
            }),
          ),
        );
      }
    });

    it('has one drill row per drilled run, with its verdict, measured RTO, restored point and evidence blob', () => {
      const drilled = summary.runs.filter((r) => r.drill !== undefined);
      expect(drilled.length).toBeGreaterThan(0);
      const rows = pack().drills;
      expect(rows.map((r) => r.runId).sort()).toEqual(drilled.map((r) => r.id).sort());
      for (const run of drilled) {
        const record = drillRecordOf(run);
        expect(rows.find((r) => r.runId === run.id)).toEqual(
          expect.objectContaining(
            definedOnly({
              verdict: run.drill?.outcome?.verdict ?? 'in-progress',
              finishedAt: run.drill?.outcome?.at,
              recoveryPointTime: run.drill?.point?.time,
              rtoMs: record?.rtoMs,
              drillVmName: run.drill?.vmName,
              restoreJobId: run.drill?.restoreJobId,
              evidenceBlob: run.drill?.evidenceBlob,
              cleanedUp: run.drill?.cleanup.deletedAt !== undefined,
            }),
          ),
        );
      }
    });

    it('writes the CSVs, the report and a manifest whose hashes match the files on disk', () => {
      expect(read('backups.csv').trimEnd().split('\r\n')).toHaveLength(pack().backups.length + 1);
      expect(read('drills.csv').trimEnd().split('\r\n')).toHaveLength(pack().drills.length + 1);
      expect(read('report.html')).toContain('A.8.13');
      const manifest = JSON.parse(read('manifest.json')) as { files: { name: string; sha256: string }[] };
      for (const f of manifest.files) {
        expect(createHash('sha256').update(read(f.name), 'utf8').digest('hex')).toBe(f.sha256);
      }
      expect(summary.evidence.files.map((f) => f.name)).toEqual([
        'evidence.json',
        'backups.csv',
        'drills.csv',
        'report.html',
        'manifest.json',
      ]);
    });
  });

  const checkOf = (vm: string) => summary.checks.find((c) => c.vm === vm);
  const runOf = (vm: string) => {
    const run = summary.runs.find((r) => r.target.vmName === vm);
    if (!run) throw new Error(`no run for ${vm}`);
    return run;
  };

  it('finishes every run', () => {
    expect(exitCode).toBe(0);
    expect(summary.schema).toBe('iris-backup-guard/demo@1');
    expect(summary.runs.map((r) => r.stage).every((s) => s === 'done' || s === 'failed')).toBe(true);
  });

  it('backs up every enrolled VM and reports the tagged but unprotected one', () => {
    expect(summary.runs.map((r) => r.target.vmName).sort()).not.toContain('web-01');
    expect(summary.runs.length).toBe(summary.checks.length - 1);
    expect(summary.notProtected).toEqual([expect.stringMatching(/\/virtualMachines\/web-01$/)]);
  });

  describe('the report: which VMs give an IRIS-consistent backup tonight, and what to fix', () => {
    const lineOf = (vm: string) => {
      const line = summary.vms.find((v) => v.vm === vm);
      if (!line) throw new Error(`no report line for ${vm}`);
      return line;
    };
    const text = () => renderDemoReport(summary);

    it('has one line per VM of the fleet, in the summary and in the text', () => {
      expect(summary.vms.map((v) => v.vm)).toEqual(summary.checks.map((c) => c.vm));
      const lines = text().split('\n');
      for (const v of summary.vms) {
        expect(lines.filter((l) => l.startsWith(`${v.vm} `))).toEqual([expect.stringContaining(v.outcome)]);
      }
    });

    it('names each finding code of a VM once', () => {
      for (const v of summary.vms) expect(new Set(v.findingCodes).size).toBe(v.findingCodes.length);
      // cache-legacy-01's two CRLF scripts give two findings with one code.
      const crlf = checkOf('cache-legacy-01')?.findings.filter((f) => f.code === 'ScriptCrlfLineEndings');
      expect(crlf?.length).toBeGreaterThan(1);
      for (const l of text().split('\n')) expect(l.match(/ScriptCrlfLineEndings/g)?.length ?? 0).toBeLessThan(2);
    });

    it('the good VM: IRIS-consistent, its freeze window, nothing to fix', () => {
      expect(lineOf('iris-prod-01')).toMatchObject({ outcome: 'IRIS-consistent', firstFix: 'nothing to fix' });
      expect(lineOf('iris-prod-01').frozen).toMatch(/^\d+\.\d s$/);
    });

    it('the VM left frozen says so where the freeze window would be; once thawed, its script fix comes first', () => {
      expect(lineOf('cache-legacy-01').frozen).toBe('LEFT FROZEN, thawed by the app');
      // The CRLF post-script is what left IRIS frozen.
      expect(lineOf('cache-legacy-01').firstFix).toMatch(/^ScriptCrlfLineEndings: /);
    });

    it('the tagged VM that no vault protects gets no backup tonight', () => {
      expect(lineOf('web-01').outcome).toMatch(/^no backup tonight/);
      expect(lineOf('web-01').firstFix).toMatch(/vault/);
    });

    it('a fallback names its cause and the first fix is the finding that causes it, with its command', () => {
      expect(lineOf('iris-prod-03').outcome).toBe('file-system-consistent (IncorrectJSONConfigFile 305)');
      expect(lineOf('iris-prod-03').firstFix).toMatch(/^IncorrectJSONConfigFile: sudo sed/);
    });

    it('has no second copy of the alerts, and one timestamp format', () => {
      expect(summary.alerts.length).toBeGreaterThan(0);
      expect(text()).not.toMatch(/ALERT |warning: |error: /);
      const stamps = text().match(/\d{4}-\d{2}-\d{2}T[\d:.]+Z?/g) ?? [];
      expect(stamps.length).toBeGreaterThan(0);
      for (const t of stamps) expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    });

    it('prints none of the @azure/functions test-mode warnings', async () => {
      expect(stderr).not.toMatch(/test mode/i);
      expect(consoleWarnings.filter((w) => /test mode/i.test(w))).toEqual([]);
      // The check can fail: loading a function module outside the host prints the warning.
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      await import('../../src/functions/advanceRuns');
      expect(warn.mock.calls.map((args) => String(args[0])).join('\n')).toMatch(/test mode/);
      warn.mockRestore();
    });
  });

  it.each([
    ['iris-prod-01', 'iris-consistent'],
    ['iris-prod-02', 'file-system-consistent'],
    ['iris-prod-03', 'file-system-consistent'],
    ['iris-prod-04', 'file-system-consistent'],
    ['iris-prod-05', 'failed'],
    ['iris-prod-06', 'file-system-consistent'],
    ['cache-legacy-01', 'file-system-consistent'],
    ['cache-legacy-02', 'file-system-consistent'],
  ])('%s gets the verdict %s', (vm, consistency) => {
    expect(runOf(vm).verdict?.consistency).toBe(consistency);
  });

  it('measures the freeze window of the IRIS-consistent backup', () => {
    const window = runOf('iris-prod-01').verdict?.freezeWindowMs;
    expect(window).toBeGreaterThan(0);
    expect(window).toBeLessThan(60_000);
  });

  it.each([
    ['iris-prod-02', 'PluginConfigNotFound', 316],
    ['iris-prod-03', 'IncorrectJSONConfigFile', 305],
    ['iris-prod-04', 'InsufficientPermissionforPre-Script', 306],
    ['iris-prod-06', 'PluginConfigPermissionError', 317],
  ])('%s: the verdict names the cause %s (%d)', (vm, name, code) => {
    const verdict = runOf(vm).verdict;
    expect(verdict?.reasons.join(' ')).toContain(name);
    expect(verdict?.extensionCode).toBe(code);
  });

  it.each([
    ['iris-prod-02', 'PluginConfigNotFound'],
    ['iris-prod-03', 'IncorrectJSONConfigFile'],
    ['iris-prod-04', 'InsufficientPermissionforPre-Script'],
    ['iris-prod-05', 'ContinueBackupOnFailureIsString'],
    ['cache-legacy-01', 'ScriptExitsFiveOnSuccess'],
    ['cache-legacy-02', 'ScriptExitsFiveOnSuccess'],
  ])('the setup check of %s predicted %s', (vm, code) => {
    expect(checkOf(vm)?.findings.map((f) => f.code)).toContain(code);
  });

  it('explains the pre-script that exits 5 (IRIS success, extension failure)', () => {
    const verdict = runOf('cache-legacy-02').verdict;
    expect(verdict?.extensionCode).toBe(300);
    expect(verdict?.failedScript).toBe('pre');
    expect(verdict?.scriptExitCode).toBe(5);
    expect(verdict?.reasons[0]).toMatch(/^Pre-ScriptExecutionFailed: the pre-script exited 5/);
    expect(verdict?.irisLeftFrozen).toBe(false);
  });

  it('finds nothing to fix on the correctly set-up VM', () => {
    expect(checkOf('iris-prod-01')?.findings).toEqual([]);
  });

  it('flags the Caché sample scripts as published (CRLF) as leaving IRIS frozen', () => {
    expect(runOf('cache-legacy-01').verdict?.irisLeftFrozen).toBe(true);
    expect(runOf('iris-prod-01').verdict?.irisLeftFrozen).toBe(false);
  });

  it('sends production VMs only the read-only probe, and the thaw only to the VM a check found frozen, with IBG_AUTO_THAW on (safety invariant 3); the verifier only to drill VMs', () => {
    const puts = fs
      .readdirSync(trafficDir)
      .map((f) => JSON.parse(fs.readFileSync(path.join(trafficDir, f), 'utf8')) as Exchange)
      .filter((x) => x.liveRequest.method === 'PUT' && /\/runCommands\//i.test(x.liveRequest.url));
    const inDrillGroup = (x: Exchange): boolean => /\/resourceGroups\/rg-iris-drill\//i.test(x.liveRequest.url);
    const vmOf = (x: Exchange): string => /\/virtualMachines\/([^/]+)\//i.exec(x.liveRequest.url)?.[1] ?? '?';
    const production = puts.filter((x) => !inDrillGroup(x));
    const scriptOf = (x: Exchange) => x.liveRequest.body?.properties?.source?.script;
    expect(production.length).toBeGreaterThanOrEqual(summary.checks.length + 2 * summary.runs.length);
    const thaws = production.filter((x) => scriptOf(x) === readVmScript('thaw'));
    expect(new Set(production.filter((x) => !thaws.includes(x)).map(scriptOf))).toEqual(
      new Set([readVmScript('probe')]),
    );
    // The VMs that may get the thaw: a check found IRIS frozen there, and IBG_AUTO_THAW was on.
    const frozenWithAutoThaw = summary.frozenIris
      .filter((e) => e.autoThaw && e.steps.some((s) => /^frozen: /.test(s.step)))
      .map((e) => e.vm);
    expect(frozenWithAutoThaw).toEqual(['cache-legacy-01']);
    expect(thaws.map(vmOf)).toEqual(frozenWithAutoThaw);
    // The VM whose check found IRIS running got no thaw.
    expect(summary.frozenIris.find((e) => e.vm === 'cache-legacy-02')?.outcome).toBe('not-frozen');
    const verifiers = puts.filter(inDrillGroup);
    expect(verifiers.length).toBeGreaterThan(0);
    for (const x of verifiers) expect(x.liveRequest.url).toMatch(/\/virtualMachines\/ibg-drill-/i);
  });

  describe('frozen IRIS: the alert, the auto-thaw, the check after it, the recovery', () => {
    const TARGETS = ['webhook', 'teams', 'slack', 'eventgrid'];
    const entry = () => {
      const e = summary.frozenIris.find((f) => f.vm === 'cache-legacy-01');
      if (!e) throw new Error('no frozen-IRIS entry for cache-legacy-01');
      return e;
    };

    it('the post-script left IRIS frozen, and the app thawed it and found it running', () => {
      expect(runOf('cache-legacy-01').verdict?.classifications).toContain('Post-ScriptExecutionFailed');
      expect(entry()).toMatchObject({ outcome: 'thawed', step: 'done', autoThaw: true });
      expect(entry().thawSummary).toMatch(/CACHE: frozen → thawed → running/);
      const steps = entry().steps.map((s) => s.step);
      expect(steps.join('\n')).toMatch(
        /^checking whether IRIS is frozen \(verdict: [^\n]*\nfrozen: CACHE; making sure no snapshot is in progress\nlease held until [^\n]*; thawing CACHE\nthaw finished \([^\n]*\); checking again\nIRIS was thawed by the app and is running \(CACHE running\)$/,
      );
    });

    it('every target received the critical alert, as its medium renders it', () => {
      const alert = entry().criticalAlert;
      expect(alert?.code).toBe('IrisLeftFrozen');
      expect(alert?.received.map((r) => r.target)).toEqual(TARGETS);
      for (const r of alert?.received ?? []) {
        expect(r.status).toBeGreaterThanOrEqual(200);
        expect(r.status).toBeLessThan(300);
        expect(r.alertId).toBe(alert?.alertId);
        expect(r.title).toBe('CRITICAL IrisStillFrozen on cache-legacy-01');
        expect(r.sentAt).toBeDefined();
      }
      const [webhook, teams, slack, eventGrid] = alert?.received ?? [];
      expect(webhook?.excerpt).toMatch(/^code IrisLeftFrozen; classification IrisStillFrozen; fix: .*; signed/);
      expect(teams?.excerpt).toBe('Adaptive Card 1.4, title "CRITICAL IrisStillFrozen on cache-legacy-01"');
      expect(slack?.excerpt).toBe('Block Kit header "CRITICAL IrisStillFrozen on cache-legacy-01"');
      expect(eventGrid?.excerpt).toBe(`CloudEvent IrisBackupGuard.Alert.Raised, id ${alert?.alertId ?? ''}`);
      // The check's own alert came too (the verdict said "may still be frozen"; the check said "frozen now").
      expect(entry().otherCriticalCodes).toEqual(['IrisFrozen']);
    });

    it('every target received the recovery notice, after the critical alert', () => {
      const recovery = entry().recovery;
      expect(recovery?.received.map((r) => r.target)).toEqual(TARGETS);
      for (const r of recovery?.received ?? []) {
        expect(r.status).toBeGreaterThanOrEqual(200);
        expect(r.status).toBeLessThan(300);
        expect(r.title).toMatch(/^RESOLVED Iris(Left)?Frozen on cache-legacy-01$/);
      }
      expect(recovery?.received[3]?.excerpt).toMatch(/^CloudEvent IrisBackupGuard\.Alert\.Resolved, id /);
      expect(Date.parse(recovery?.decidedAt ?? '')).toBeGreaterThan(Date.parse(entry().criticalAlert?.decidedAt ?? ''));
    });

    it('delivered within one tick (plus the follow-up reads) of the job’s snapshot, in sandbox time', () => {
      const e = entry();
      expect(Date.parse(e.snapshotCompletedAt ?? '')).toBeGreaterThan(Date.parse(e.recoveryPointAt ?? ''));
      expect(e.snapshotToAlertMs).toBeGreaterThan(0);
      expect(e.snapshotToAlertMs).toBeLessThanOrEqual(tickMs + FOLLOW_UP_MS);
      expect(e.snapshotToRecoveryMs).toBeGreaterThanOrEqual(e.snapshotToAlertMs ?? Infinity);
      expect(e.snapshotToRecoveryMs).toBeLessThanOrEqual(tickMs + FOLLOW_UP_MS);
    });

    it('the report prints the section: each target, the steps, the recovery and the timing', () => {
      const lines = renderDemoReport(summary).split('\n');
      const start = lines.findIndex((l) => l.startsWith('Frozen IRIS: '));
      expect(start).toBeGreaterThan(0);
      const at = lines.indexOf('  cache-legacy-01: thawed; IBG_AUTO_THAW on', start);
      expect(at).toBeGreaterThan(start);
      const section = lines.slice(at, at + 40).join('\n');
      for (const t of TARGETS) {
        expect(section).toMatch(
          new RegExp(`^ {6}${t} +HTTP 2\\d\\d, delivered \\S+Z: CRITICAL IrisStillFrozen on cache-legacy-01$`, 'm'),
        );
        expect(section).toMatch(new RegExp(`^ {6}${t} +HTTP 2\\d\\d, delivered \\S+Z: RESOLVED `, 'm'));
      }
      expect(section).toMatch(/^ {6}\S+Z {2}thaw finished/m);
      expect(section).toMatch(
        /^ {6}snapshot completed → first critical alert delivered: (\d+\.\d s|\d+ min( \d+ s)?); → recovery delivered: (\d+\.\d s|\d+ min( \d+ s)?)$/m,
      );
    });
  });

  describe('restore drills', () => {
    const drillOf = (vm: string) => {
      const drill = summary.drills.find((d) => d.vm === vm);
      if (!drill) throw new Error(`no drill for ${vm}`);
      return drill;
    };

    it.each([
      ['iris-prod-01', 'passed', undefined],
      ['iris-prod-02', 'passed', undefined],
      ['iris-prod-06', 'failed', 'integrity'],
      ['iris-prod-04', 'failed', 'restore'],
    ])('%s: the drill %s (failed stage %s)', (vm, verdict, stage) => {
      expect(drillOf(vm).verdict).toBe(verdict);
      expect(drillOf(vm).record.failedStage).toBe(stage);
    });

    it('the clean pass: frozen at the snapshot, no notes, an RTO', () => {
      expect(drillOf('iris-prod-01').record).toMatchObject({ freeze: 'frozen', recovery: 'clean', notes: [] });
      expect(drillOf('iris-prod-01').rtoMs).toBeGreaterThan(0);
    });

    it('the point that was only file-system-consistent: crash recovery ran, integrity passed, the note says so', () => {
      const d = drillOf('iris-prod-02');
      expect(d.record).toMatchObject({ freeze: 'none', recovery: 'recovered' });
      expect(d.record.integrity?.status).toBe('clean');
      expect(d.why).toMatch(/not frozen at the snapshot: the point is only file-system-consistent; crash recovery/);
    });

    it('the restored copy with an integrity error names its database; the failed restore names Azure’s error', () => {
      expect(drillOf('iris-prod-06').record.integrity?.databases).toEqual(
        expect.arrayContaining([expect.objectContaining({ status: 'errors' })]),
      );
      expect(drillOf('iris-prod-04').why).toMatch(/^restore: the restore job ended Failed: UserErrorRestoreFailed/);
      expect(drillOf('iris-prod-04').record.phasesMs.vmBoot).toBeUndefined();
    });

    it('the report prints one line per drill with its RTO by phase under it', () => {
      const lines = renderDemoReport(summary).split('\n');
      expect(lines).toContainEqual(expect.stringMatching(/^Restore drills: \d+ of \d+ passed\./));
      for (const d of summary.drills) {
        const at = lines.findIndex((l) => l.startsWith(`  ${d.vm} `));
        expect(lines[at]).toContain(d.verdict);
        expect(lines[at + 1]).toMatch(
          /^ {6}RTO by phase: restore job [^,]+, VM boot [^,]+, agent ready [^,]+, IRIS up [^,]+, integrity [^,]+, total /,
        );
      }
      const pass = lines.findIndex((l) => l.startsWith('  iris-prod-01 '));
      expect(lines[pass + 1]).toMatch(/restore job \d+ min.*, total \d+ min/);
    });

    it('leaves nothing behind in the drill resource group', () => {
      expect(summary.drillResourcesLeft).toEqual([]);
      expect(renderDemoReport(summary)).toContain('Nothing is left in rg-iris-drill');
    });
  });

  it('sends only spec-conformant ARM traffic (oav validate-traffic)', async () => {
    const result = await validateTraffic(trafficDir);
    expect(formatTrafficIssues(result.errors)).toBe('');
    expect(result.exchanges).toBeGreaterThan(100);
    expect(result.passedOperations).toEqual(
      expect.arrayContaining(['Backups_Trigger', 'ProtectedItemOperationStatuses_Get', 'BackupJobs_List']),
    );
  });
});
