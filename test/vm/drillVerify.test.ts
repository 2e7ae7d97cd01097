import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bootRestoredIris, type RestoredIrisFaults } from '../../sandbox/irisInstances';
import {
  irisMessagesLogPath,
  irisSimDir,
  irisSimEnv,
  readIrisCalls,
  readIrisInstance,
  type IrisInstanceSpec,
  writeIrisInstance,
} from '../../sandbox/vm-bin/irisSimState';
import { parseVerifierSummary } from '../../src/shared/drills/verifierSummary';
import { vmScriptPath } from '../../src/shared/vmScripts/vmScripts';
import { makeRoot, readIfExists, removeRoots, runDash, type ScriptRun } from './vmRoot';

const VERIFY = vmScriptPath('drill-verify');
const PROD = '10.1.0.4:1972 10.1.0.4:2188 10.1.0.4:22';
const USER_DB = '/usr/irissys/mgr/user/';

afterAll(removeRoots);

/** Freezes through the simulator, as iris-pre.sh would, before the snapshot. */
function freeze(root: string): void {
  const run = runDash(root, path.join(root, 'freeze.sh'));
  expect(run.status).toBe(0);
}

function restoredRoot(
  mode: 'frozen' | 'running',
  faults: RestoredIrisFaults = {},
  spec: Partial<IrisInstanceSpec> = {},
): string {
  const root = makeRoot();
  writeIrisInstance(root, { name: 'IRIS', product: 'IRIS', status: 'running', ...spec });
  const messages = irisMessagesLogPath(root, readIrisInstance(root, 'IRIS')!);
  fs.writeFileSync(
    messages,
    '11/20/26-01:00:00:000 (100) 0 [Database.MountedRW] Mounted database /usr/irissys/mgr/user/ (SFN 5) read-write.\n',
  );
  if (mode === 'frozen') {
    fs.writeFileSync(
      path.join(root, 'freeze.sh'),
      `iris session IRIS -U%SYS '##Class(Backup.General).ExternalFreeze("",,,,,,600,,,300)' >/dev/null\n[ $? -eq 5 ]\n`,
    );
    freeze(root);
  }
  bootRestoredIris(root, faults);
  return root;
}

function verify(root: string, env: Record<string, string> = {}): ScriptRun {
  return runDash(root, VERIFY, [], { PRODUCTION_ADDRESSES: PROD, ...env });
}

const summaryOf = (run: ScriptRun): string => {
  const start = run.stdout.lastIndexOf('IBG-DRILL-BEGIN');
  return start < 0 ? '' : run.stdout.slice(start);
};
const state = (root: string): string | undefined => readIrisInstance(root, 'IRIS')?.status;
const starts = (root: string): string[] => readIrisCalls(root).filter((c) => /^iris start /.test(c));
const stops = (root: string): string[] => readIrisCalls(root).filter((c) => /^iris stop /.test(c));

describe('drill-verify.sh under dash', () => {
  it('passes a frozen copy: freeze=frozen, clean start, integrity clean, IRIS stopped afterwards', () => {
    const root = restoredRoot('frozen');
    const run = verify(root);
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(0);
    expect(s).toMatchObject({
      complete: true,
      rc: 0,
      instance: 'IRIS',
      product: 'IRIS',
      freeze: 'frozen',
      isolation: 'ok',
      checked: 3,
      reached: undefined,
      iris: 'up',
      recovery: 'clean',
      integrity: 'clean',
      databases: 2,
      errors: 0,
      stop: 'ok',
      problems: [],
    });
    expect(s.journal).toMatch(/^\/usr\/irissys\/mgr\/journal\/\d{8}\.\d{3}$/);
    expect(s.databaseResults).toEqual([
      { status: 'ok', directory: '/usr/irissys/mgr/' },
      { status: 'ok', directory: USER_DB },
    ]);
    expect(s.evidence).toEqual({ path: '/var/tmp/ibg-drill/integrity.log', bytes: expect.any(Number) as number });
    expect(s.evidenceLines.join('\n')).toContain('Backup.General.ExternalFreeze: System suspended');
    expect(state(root)).toBe('down');
    expect(stops(root)).toEqual(['iris stop IRIS quietly']);
    // The full report is on stdout between the markers, and kept as evidence.
    const report = readIfExists(path.join(root, 'var/tmp/ibg-drill/integrity.log'));
    expect(report).toContain('No Errors were found.');
    expect(run.stdout).toContain(`IBG-INTEGRITY-BEGIN bytes=${String(Buffer.byteLength(report))}\n${report}`);
    expect(s.evidence?.bytes).toBe(Buffer.byteLength(report));
    expect(run.stdout.indexOf('IBG-INTEGRITY-END')).toBeLessThan(run.stdout.indexOf('IBG-DRILL-BEGIN'));
  });

  it('starts from a CPF copy with SystemStart=0, ZSTU=0, EnsembleAutoStart=0, no mirror/ECP members, and nostu', () => {
    const root = restoredRoot('frozen');
    const cpf = path.join(root, 'usr/irissys/iris.cpf');
    fs.writeFileSync(
      cpf,
      [
        '[ConfigFile]',
        'Version=2024.1',
        '[Databases]',
        'IRISSYS=/usr/irissys/mgr/',
        'USER=/usr/irissys/mgr/user/',
        '[ECPServers]',
        'DATA1=10.1.0.9,1972,0',
        '[MirrorMember]',
        'AgentAddress=10.1.0.4',
        'SystemName=PROD1',
        '[Startup]',
        'SystemStart=1',
        'ZSTU=1',
        'WebServer=1',
        '',
      ].join('\n'),
    );
    const run = verify(root);
    expect(run.status).toBe(0);
    const copy = readIfExists(path.join(root, 'usr/irissys/iris-ibg-drill.cpf'));
    const lines = copy.split('\n');
    expect(lines).toEqual(expect.arrayContaining(['SystemStart=0', 'ZSTU=0', 'EnsembleAutoStart=0', 'WebServer=1']));
    expect(lines).not.toContain('SystemStart=1');
    expect(copy).not.toContain('DATA1=');
    expect(copy).not.toContain('AgentAddress=');
    expect(copy).toContain('[MirrorMember]');
    expect(copy).toContain('USER=/usr/irissys/mgr/user/');
    // The original is untouched.
    expect(readIfExists(cpf)).toContain('SystemStart=1');
    const drillCpf = path.join(root, 'usr/irissys/iris-ibg-drill.cpf');
    expect(starts(root)).toEqual([`iris start IRIS ${drillCpf} nostu`]);
    expect(readIfExists(path.join(irisSimDir(root), 'instances/IRIS/start_cpf')).trim()).toBe(drillCpf);
  });

  it('a copy of an instance that ran unfrozen: freeze=none, recovery=recovered, integrity clean', () => {
    const root = restoredRoot('running');
    const run = verify(root);
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(0);
    expect(s).toMatchObject({
      freeze: 'none',
      journal: undefined,
      iris: 'up',
      recovery: 'recovered',
      integrity: 'clean',
    });
    expect(s.evidenceLines.join('\n')).toContain('Previous system shutdown was abnormal');
    expect(state(root)).toBe('down');
  });

  it('a frozen then thawed copy is freeze=thawed', () => {
    const root = makeRoot();
    writeIrisInstance(root, { name: 'IRIS', product: 'IRIS', status: 'running' });
    fs.writeFileSync(
      path.join(root, 'ft.sh'),
      `iris session IRIS -U%SYS '##Class(Backup.General).ExternalFreeze("",,,,,,600,,,300)' >/dev/null
iris session IRIS -U%SYS '##Class(Backup.General).ExternalThaw()' >/dev/null
iris stop IRIS quietly\n`,
    );
    expect(runDash(root, path.join(root, 'ft.sh')).status).toBe(0);
    bootRestoredIris(root);
    const s = parseVerifierSummary(verify(root).stdout);
    expect(s.freeze).toBe('thawed');
    expect(s.recovery).toBe('clean');
  });

  it('reports integrity errors with exit 1', () => {
    const root = restoredRoot('frozen', { integrityErrors: { database: USER_DB } });
    const run = verify(root);
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(1);
    expect(s).toMatchObject({ rc: 1, integrity: 'errors', databases: 2, errors: 1, stop: 'ok' });
    expect(s.databaseResults[0]).toEqual({ status: 'error', directory: USER_DB });
    expect(state(root)).toBe('down');
  });

  it('a missing database is not-mounted, integrity incomplete, exit 1', () => {
    const root = restoredRoot('frozen', { databaseMissing: { database: USER_DB } });
    const run = verify(root);
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(1);
    expect(s.integrity).toMatch(/^(incomplete|errors)$/);
    expect(s.databaseResults).toContainEqual({ status: 'not-mounted', directory: USER_DB });
    expect(state(root)).toBe('down');
  });

  it('a database left out of the report but in the CPF, with no IRIS.DAT, is not-mounted', () => {
    const root = restoredRoot('frozen');
    // The simulator reports only its databases list; the CPF names one more that is absent on the restored disks.
    fs.appendFileSync(path.join(root, 'usr/irissys/iris.cpf'), '[Databases]\nGONE=/data/gone/\nREMOTE=/x/,ecp1\n');
    const s = parseVerifierSummary(verify(root).stdout);
    expect(s.databaseResults).toContainEqual({ status: 'not-mounted', directory: '/data/gone/' });
    expect(s.databaseResults.map((d) => d.directory)).not.toContain('/x/');
    expect(s.integrity).toBe('incomplete');
    expect(s.rc).toBe(1);
  });

  it('IRIS never comes up: iris=down, exit 3, no integrity check, IRIS not left running', () => {
    const root = restoredRoot('frozen', { neverStarts: {} });
    const run = verify(root);
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(3);
    expect(s).toMatchObject({ rc: 3, iris: 'down', integrity: 'not-run', stop: 'ok' });
    expect(run.stdout).not.toContain('IBG-INTEGRITY-BEGIN');
    expect(readIrisCalls(root).some((c) => c.includes('Integrity'))).toBe(false);
    expect(stops(root)).toHaveLength(1);
    expect(state(root)).toBe('down');
  });

  it('waits for a slow start (polling qlist) and stops it afterwards', () => {
    const root = restoredRoot('frozen', {}, { knobs: { startSeconds: 3 } });
    const run = verify(root);
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(0);
    expect(s.iris).toBe('up');
    expect(readIrisCalls(root).filter((c) => c === 'iris qlist IRIS').length).toBeGreaterThan(1);
    expect(state(root)).toBe('down');
  });

  it('gives up after IRIS_UP_SECONDS, reports iris=down and still stops the instance', () => {
    const root = restoredRoot('frozen', {}, { knobs: { startSeconds: 60 } });
    const run = verify(root, { IRIS_UP_SECONDS: '2' });
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(3);
    expect(s).toMatchObject({ iris: 'down', integrity: 'not-run', stop: 'ok' });
    expect(state(root)).toBe('down');
  });

  it('isolation breached: IRIS is never started, exit 4', () => {
    const root = restoredRoot('frozen', { reachable: ['10.1.0.4:22'] });
    const run = verify(root);
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(4);
    expect(s).toMatchObject({
      isolation: 'breached',
      reached: '10.1.0.4:22',
      iris: 'not-started',
      integrity: 'not-run',
      stop: 'not-needed',
    });
    expect(starts(root)).toEqual([]);
    expect(readIrisCalls(root).some((c) => c.startsWith('iris start'))).toBe(false);
  });

  it('isolation unknown (no addresses to check) does not start IRIS unless ALLOW_UNVERIFIED_ISOLATION=1', () => {
    const root = restoredRoot('frozen');
    const refused = runDash(root, VERIFY, [], {});
    expect(refused.status).toBe(4);
    expect(parseVerifierSummary(refused.stdout).isolation).toBe('unknown');
    expect(starts(root)).toEqual([]);
    const allowed = runDash(root, VERIFY, [], { ALLOW_UNVERIFIED_ISOLATION: '1' });
    expect(allowed.status).toBe(0);
    expect(parseVerifierSummary(allowed.stdout)).toMatchObject({ isolation: 'unknown', iris: 'up' });
  });

  it('a malformed address is a usage problem: isolation unknown, IRIS not started', () => {
    const root = restoredRoot('frozen');
    const run = verify(root, { PRODUCTION_ADDRESSES: '10.1.0.4' });
    expect(run.status).toBe(4);
    expect(starts(root)).toEqual([]);
  });

  it('an unknown instance exits 2 with a complete summary', () => {
    const root = restoredRoot('frozen');
    const run = verify(root, { INSTANCE: 'NOPE' });
    expect(run.status).toBe(2);
    expect(parseVerifierSummary(run.stdout)).toMatchObject({ complete: true, rc: 2, iris: 'not-started' });
  });

  it('keeps the summary under 4,096 bytes with 500 databases, most of them failing, and counts the rest', () => {
    const dbs = Array.from({ length: 500 }, (_, i) => `/data/${'d'.repeat(150)}/db${String(i)}/`);
    const integrity = Object.fromEntries(dbs.map((d, i) => [d, i % 2 === 0 ? 'error' : 'ok'] as const));
    const root = restoredRoot('frozen', {}, { databases: dbs, integrity });
    const run = verify(root);
    const summary = summaryOf(run);
    expect(run.status).toBe(1);
    expect(Buffer.byteLength(run.stdout.slice(-4096))).toBeLessThanOrEqual(4096);
    expect(run.stdout.slice(-4096)).toContain('IBG-DRILL-BEGIN v=1');
    expect(Buffer.byteLength(summary)).toBeLessThan(4096);
    const s = parseVerifierSummary(run.stdout);
    expect(s).toMatchObject({ complete: true, databases: 500, errors: 250, integrity: 'errors' });
    expect(s.databaseResults.length).toBeGreaterThan(0);
    expect(s.databaseResults.every((d) => d.status === 'error')).toBe(true);
    expect(s.databaseResults.length + s.moreDatabases).toBe(500);
    expect(state(root)).toBe('down');
  });

  it('every path after a start attempt ends with IRIS stopped, also when the verifier is killed by TERM', () => {
    const root = restoredRoot('frozen', {}, { knobs: { startSeconds: 30 } });
    // The verifier gets TERM while it waits for the start, as when the Run Command is cancelled.
    const run = spawnSync('dash', ['-c', 'dash "$1" & pid=$!; sleep 3; kill -TERM $pid; wait $pid', 'x', VERIFY], {
      encoding: 'utf8',
      timeout: 30000,
      env: { ...irisSimEnv(root, { PATH: '/usr/local/bin:/usr/bin:/bin' }), PRODUCTION_ADDRESSES: PROD },
    });
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(2);
    expect(s).toMatchObject({ complete: true, stop: 'ok', rc: 2 });
    expect(starts(root)).toHaveLength(1);
    expect(state(root)).toBe('down');
  });

  it('Caché: ccontrol/csession, cconsole.log, cache.cpf', () => {
    const root = restoredRoot('running', {}, { product: 'Cache', name: 'IRIS' });
    const run = verify(root);
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(0);
    expect(s).toMatchObject({ product: 'Cache', recovery: 'recovered', integrity: 'clean', stop: 'ok' });
    expect(readIrisCalls(root)).toContain(
      `ccontrol start IRIS ${path.join(root, 'usr/cachesys/iris-ibg-drill.cpf')} nostu`,
    );
  });
});

describe('drill-verify.sh when something started IRIS before it', () => {
  it('stops the instance first, says so, and still starts it the drill way', () => {
    const root = restoredRoot('frozen');
    const inst = readIrisInstance(root, 'IRIS')!;
    writeIrisInstance(root, { ...inst, status: 'running' });
    const run = verify(root);
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(0);
    expect(s.evidenceLines.join('\n')).toContain('instance was running when the verifier began');
    expect(readIrisCalls(root).filter((c) => /^iris (start|stop) /.test(c))).toEqual([
      'iris stop IRIS quietly',
      `iris start IRIS ${path.join(root, 'usr/irissys/iris-ibg-drill.cpf')} nostu`,
      'iris stop IRIS quietly',
    ]);
    expect(s).toMatchObject({ freeze: 'frozen', iris: 'up', integrity: 'clean', stop: 'ok' });
    expect(state(root)).toBe('down');
  });
});

describe('drill-verify.sh on a VM with two instances', () => {
  const IRIS2_USER_DB = '/opt/iris2/mgr/user/';

  /** IRIS (/usr/irissys) and IRIS2 (/opt/iris2), both frozen at the snapshot, then restored with `faults`. */
  function twoInstances(faults: RestoredIrisFaults = {}): string {
    const root = makeRoot();
    writeIrisInstance(root, { name: 'IRIS', product: 'IRIS', status: 'running' });
    writeIrisInstance(root, { name: 'IRIS2', product: 'IRIS', status: 'running', installDir: '/opt/iris2' });
    for (const name of ['IRIS', 'IRIS2']) {
      fs.writeFileSync(irisMessagesLogPath(root, readIrisInstance(root, name)!), '');
    }
    fs.writeFileSync(
      path.join(root, 'freeze.sh'),
      ['IRIS', 'IRIS2']
        .map(
          (n) =>
            `iris session ${n} -U%SYS '##Class(Backup.General).ExternalFreeze("",,,,,,600,,,300)' >/dev/null\n[ $? -eq 5 ] || exit 1\n`,
        )
        .join(''),
    );
    freeze(root);
    bootRestoredIris(root, faults);
    return root;
  }
  const statusOf = (root: string, name: string): string | undefined => readIrisInstance(root, name)?.status;

  it('both clean: passes, each started with its drill CPF and nostu, both stopped, one evidence file for both', () => {
    const root = twoInstances();
    const run = verify(root);
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(0);
    expect(s).toMatchObject({
      complete: true,
      rc: 0,
      instance: 'IRIS,IRIS2',
      freeze: 'frozen',
      iris: 'up',
      recovery: 'clean',
      integrity: 'clean',
      databases: 4,
      errors: 0,
      stop: 'ok',
      problems: [],
    });
    expect(s.databaseResults.map((d) => d.directory)).toEqual(
      expect.arrayContaining(['/usr/irissys/mgr/', USER_DB, '/opt/iris2/mgr/', IRIS2_USER_DB]),
    );
    expect(starts(root)).toEqual([
      `iris start IRIS ${path.join(root, 'usr/irissys/iris-ibg-drill.cpf')} nostu`,
      `iris start IRIS2 ${path.join(root, 'opt/iris2/iris-ibg-drill.cpf')} nostu`,
    ]);
    expect(stops(root)).toEqual(['iris stop IRIS quietly', 'iris stop IRIS2 quietly']);
    // The first is stopped before the second starts.
    const calls = readIrisCalls(root).filter((c) => /^iris (start|stop) /.test(c));
    expect(calls.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual([
      'iris start IRIS',
      'iris stop IRIS',
      'iris start IRIS2',
      'iris stop IRIS2',
    ]);
    expect(statusOf(root, 'IRIS')).toBe('down');
    expect(statusOf(root, 'IRIS2')).toBe('down');
    const report = readIfExists(path.join(root, 'var/tmp/ibg-drill/integrity.log'));
    expect(report).toContain('=== IBG instance IRIS (IRIS) ===');
    expect(report).toContain('=== IBG instance IRIS2 (IRIS) ===');
    expect(report.indexOf('IBG instance IRIS ')).toBeLessThan(report.indexOf('IBG instance IRIS2 '));
    expect(run.stdout.split('IBG-INTEGRITY-BEGIN')).toHaveLength(2);
    expect(run.stdout).toContain(`IBG-INTEGRITY-BEGIN bytes=${String(Buffer.byteLength(report))}\n${report}`);
    expect(s.evidence).toEqual({ path: '/var/tmp/ibg-drill/integrity.log', bytes: Buffer.byteLength(report) });
  });

  it('integrity errors in the second only: integrity=errors, exit 1, its database named first, both stopped', () => {
    const root = twoInstances({ integrityErrors: { instance: 'IRIS2', database: IRIS2_USER_DB } });
    const run = verify(root);
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(1);
    expect(s).toMatchObject({ rc: 1, iris: 'up', integrity: 'errors', databases: 4, errors: 1, stop: 'ok' });
    expect(s.databaseResults[0]).toEqual({ status: 'error', directory: IRIS2_USER_DB });
    expect(s.databaseResults).toContainEqual({ status: 'ok', directory: USER_DB });
    expect(statusOf(root, 'IRIS')).toBe('down');
    expect(statusOf(root, 'IRIS2')).toBe('down');
  });

  it('the second never starts: iris=down naming it, exit 3, the first still verified, both stopped', () => {
    const root = twoInstances({ neverStarts: { instance: 'IRIS2' } });
    const run = verify(root);
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(3);
    expect(s).toMatchObject({ rc: 3, iris: 'down', integrity: 'not-run', databases: 2, errors: 0, stop: 'ok' });
    expect(s.databaseResults).toEqual([
      { status: 'ok', directory: '/usr/irissys/mgr/' },
      { status: 'ok', directory: USER_DB },
    ]);
    expect(s.evidenceLines.some((l) => l.startsWith('IRIS2 not up after'))).toBe(true);
    // The integrity session (the freeze's sessions were "-U%SYS '...'"): only the first instance had one.
    const checks = readIrisCalls(root).filter((c) => / -U %SYS$/.test(c));
    expect(checks).toEqual(['iris session IRIS -U %SYS']);
    const report = readIfExists(path.join(root, 'var/tmp/ibg-drill/integrity.log'));
    expect(report).toContain('=== IBG instance IRIS (IRIS) ===');
    expect(report).not.toContain('IBG instance IRIS2');
    expect(stops(root)).toEqual(['iris stop IRIS quietly', 'iris stop IRIS2 quietly']);
    expect(statusOf(root, 'IRIS')).toBe('down');
    expect(statusOf(root, 'IRIS2')).toBe('down');
  });

  it('INSTANCE=IRIS2 verifies only that one', () => {
    const root = twoInstances({ integrityErrors: { instance: 'IRIS' } });
    const run = verify(root, { INSTANCE: 'IRIS2' });
    const s = parseVerifierSummary(run.stdout);
    expect(run.status).toBe(0);
    expect(s).toMatchObject({ instance: 'IRIS2', integrity: 'clean', databases: 2 });
    expect(starts(root)).toEqual([`iris start IRIS2 ${path.join(root, 'opt/iris2/iris-ibg-drill.cpf')} nostu`]);
    expect(stops(root)).toEqual(['iris stop IRIS2 quietly']);
  });
});
