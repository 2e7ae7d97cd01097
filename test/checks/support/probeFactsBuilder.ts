import type { ProbeFacts, ProbeScriptFacts, ProbeTextFileFacts } from '../../../src/shared/checks/probeFacts';

export const CONFIG_PATH = '/etc/azure/VMSnapshotScriptPluginConfig.json';
export const HOST_CONF_PATH = '/etc/azure/VMSnapshotPluginHost.conf';
export const PRE = '/etc/azure/iris-pre.sh';
export const POST = '/etc/azure/iris-post.sh';

/** The config our installer writes (vm/VMSnapshotScriptPluginConfig.json). */
export const GOOD_CONFIG = {
  pluginName: 'ScriptRunner',
  preScriptLocation: PRE,
  postScriptLocation: POST,
  preScriptParams: [],
  postScriptParams: [],
  preScriptNoOfRetries: 0,
  postScriptNoOfRetries: 0,
  timeoutInSeconds: 300,
  continueBackupOnFailure: true,
  fsFreezeEnabled: true,
  ScriptsExecutionPollTimeSeconds: 1,
};

export const QLIST_RUNNING =
  'IRIS^/usr/irissys^2024.1.0.267.2^running, since Mon Jul 23 14:42:09 2024^iris.cpf^1972^52773^62972^ok^IRIS^^^/usr/irissys^1972';

export function configText(overrides: Record<string, unknown> = {}, remove: string[] = []): string {
  const c: Record<string, unknown> = { ...GOOD_CONFIG, ...overrides };
  for (const k of remove) delete c[k];
  return JSON.stringify(c, null, 2);
}

const missing = (path: string): ProbeTextFileFacts => ({ path, exists: false, isFile: false });

export function script(path: string, role: 'pre' | 'post', over: Partial<ProbeScriptFacts> = {}): ProbeScriptFacts {
  return {
    path,
    exists: true,
    isFile: true,
    owner: 'root',
    mode: '700',
    firstLine: '#!/bin/sh',
    crlf: false,
    bashisms: [],
    ibgScript: `${role} v1`,
    freezeCalls: role === 'pre' ? 1 : 0,
    thawCalls: 1,
    ...(role === 'pre'
      ? { freezeCall: 'iris_call "$_inst" "$FREEZE_ATTEMPT_TIMEOUT" \\', freezeAttemptTimeout: 30 }
      : {}),
    checksFive: true,
    exitLines: ['exit "$EX_OK"'],
    stdoutWrites: 0,
    setE: true,
    trap: true,
    ...over,
  };
}

/** A VM set up as `iris-backup-guard install` leaves it, IRIS running and thawed. */
export function healthyFacts(): ProbeFacts {
  return {
    v: 1,
    mode: 'check',
    at: '2026-11-21T02:00:00Z',
    hostConf: missing(HOST_CONF_PATH),
    config: {
      path: CONFIG_PATH,
      exists: true,
      isFile: true,
      owner: 'root',
      mode: '600',
      text: configText(),
      truncated: false,
      bom: false,
    },
    pre: script(PRE, 'pre'),
    post: script(POST, 'post'),
    workloadConf: {
      path: '/etc/azure/workload.conf',
      exists: true,
      isFile: true,
      owner: 'root',
      mode: '644',
      text: '',
    },
    vmbackupConf: missing('/etc/azure/vmbackup.conf'),
    extension: { versions: ['Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9184.0'] },
    iris: { present: true, command: 'iris', qlist: QLIST_RUNNING, wd: [{ instance: 'IRIS', rc: 3 }] },
    logs: {},
  };
}

/** healthyFacts() changed by `edit`, which may mutate the copy. */
export function factsWith(edit: (f: ProbeFacts) => void): ProbeFacts {
  const f = healthyFacts();
  edit(f);
  return f;
}
