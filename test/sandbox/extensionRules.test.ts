import {
  type FileFact,
  type FileView,
  type ScriptRun,
  decidePhase,
  effectiveScriptTimeoutSeconds,
  phaseStartLog,
  simulateExtension,
  validateSetup,
} from '../../sandbox/extension/extensionRules';

const JSON_PATH = '/etc/azure/VMSnapshotScriptPluginConfig.json';
const HOST_CONF = '/etc/azure/VMSnapshotPluginHost.conf';

interface FileSpec {
  content?: string | Buffer;
  mode?: number;
  owner?: string;
  dir?: boolean;
}

const config = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({
    pluginName: 'ScriptRunner',
    preScriptLocation: '/etc/azure/pre.sh',
    postScriptLocation: '/etc/azure/post.sh',
    preScriptParams: ['', ''],
    postScriptParams: ['', ''],
    preScriptNoOfRetries: 0,
    postScriptNoOfRetries: 0,
    timeoutInSeconds: 30,
    continueBackupOnFailure: true,
    fsFreezeEnabled: true,
    ...over,
  });

/** A VM with a valid setup, changed by `files` (undefined removes a file). */
function vm(files: Record<string, FileSpec | undefined> = {}): FileView {
  const all: Record<string, FileSpec | undefined> = {
    [JSON_PATH]: { content: config(), mode: 0o600 },
    '/etc/azure/pre.sh': { content: 'exit 0\n', mode: 0o700 },
    '/etc/azure/post.sh': { content: 'exit 0\n', mode: 0o700 },
    ...files,
  };
  return (p: string): FileFact => {
    const f = all[p];
    if (!f) return { kind: 'missing' };
    if (f.dir) return { kind: 'directory', mode: f.mode ?? 0o755, owner: f.owner ?? 'root' };
    const content = typeof f.content === 'string' ? Buffer.from(f.content) : (f.content ?? Buffer.alloc(0));
    return { kind: 'file', mode: f.mode ?? 0o644, owner: f.owner ?? 'root', content };
  };
}

const ok: ScriptRun = { kind: 'exited', exitCode: 0 };
const exit = (exitCode: number): ScriptRun => ({ kind: 'exited', exitCode });
const timedOut: ScriptRun = { kind: 'timedOut' };

describe('validateSetup: the extension precheck (vmsnapshot.md §2)', () => {
  it.each<[string, Record<string, FileSpec | undefined>, number, boolean]>([
    ['missing JSON', { [JSON_PATH]: undefined }, 316, true],
    ['host conf 660', { [HOST_CONF]: { content: '[pre_post]\n', mode: 0o660 } }, 314, true],
    [
      'host conf owned by nobody',
      { [HOST_CONF]: { content: '[pre_post]\n', mode: 0o644, owner: 'nobody' } },
      314,
      true,
    ],
    ['host conf without [pre_post]', { [HOST_CONF]: { content: 'timeoutInSeconds: 5\n', mode: 0o644 } }, 304, true],
    [
      'host conf pointing to a missing JSON',
      {
        [HOST_CONF]: {
          content:
            '[pre_post]\ntimeoutInSeconds: 60\nnumberOfPlugins: 1\npluginName0: ScriptRunner\npluginPath0: /etc/azure\npluginConfigPath0: /opt/x.json\n',
          mode: 0o600,
        },
      },
      316,
      true,
    ],
    ['JSON with a BOM', { [JSON_PATH]: { content: `\uFEFF${config()}`, mode: 0o600 } }, 305, true],
    ['invalid JSON', { [JSON_PATH]: { content: '{"preScriptLocation": ', mode: 0o600 } }, 305, true],
    ['empty JSON file', { [JSON_PATH]: { content: '', mode: 0o600 } }, 305, true],
    ['top-level array', { [JSON_PATH]: { content: '[]', mode: 0o600 } }, 304, true],
    [
      'string timeoutInSeconds',
      { [JSON_PATH]: { content: config({ timeoutInSeconds: '30' }), mode: 0o600 } },
      304,
      true,
    ],
    ['null timeoutInSeconds', { [JSON_PATH]: { content: config({ timeoutInSeconds: null }), mode: 0o600 } }, 304, true],
    [
      'missing preScriptLocation',
      { [JSON_PATH]: { content: '{"postScriptLocation":"/etc/azure/post.sh"}', mode: 0o600 } },
      305,
      true,
    ],
    [
      'poll time "abc"',
      { [JSON_PATH]: { content: config({ ScriptsExecutionPollTimeSeconds: 'abc' }), mode: 0o600 } },
      305,
      true,
    ],
    [
      'poll time null',
      { [JSON_PATH]: { content: config({ ScriptsExecutionPollTimeSeconds: null }), mode: 0o600 } },
      304,
      true,
    ],
    ['JSON 640', { [JSON_PATH]: { content: config(), mode: 0o640 } }, 317, false],
    ['JSON 700 (owner x bit)', { [JSON_PATH]: { content: config(), mode: 0o700 } }, 317, false],
    ['JSON owned by nobody', { [JSON_PATH]: { content: config(), mode: 0o600, owner: 'nobody' } }, 317, false],
    ['pre-script missing', { '/etc/azure/pre.sh': undefined }, 302, false],
    ['pre-script is a directory', { '/etc/azure/pre.sh': { dir: true, mode: 0o700 } }, 302, false],
    [
      'empty preScriptLocation',
      { [JSON_PATH]: { content: config({ preScriptLocation: '' }), mode: 0o600 } },
      302,
      false,
    ],
    ['pre-script 750', { '/etc/azure/pre.sh': { content: 'exit 0', mode: 0o750 } }, 306, false],
    ['pre-script 755', { '/etc/azure/pre.sh': { content: 'exit 0', mode: 0o755 } }, 306, false],
    [
      'pre-script owned by nobody',
      { '/etc/azure/pre.sh': { content: 'exit 0', mode: 0o700, owner: 'nobody' } },
      306,
      false,
    ],
    ['post-script missing', { '/etc/azure/post.sh': undefined }, 303, false],
    ['post-script 705', { '/etc/azure/post.sh': { content: 'exit 0', mode: 0o705 } }, 307, false],
  ])('%s → %i (silent: %s)', (_name, files, code, silent) => {
    const setup = validateSetup(vm(files));
    expect(setup).toMatchObject({ kind: 'invalid', code, silent });
  });

  it.each<[string, Record<string, FileSpec | undefined>]>([
    ['JSON 600', {}],
    ['JSON 400', { [JSON_PATH]: { content: config(), mode: 0o400 } }],
    ['JSON 4600 (setuid ignored)', { [JSON_PATH]: { content: config(), mode: 0o4600 } }],
    [
      'host conf 644',
      {
        [HOST_CONF]: {
          content:
            '[pre_post]\ntimeoutInSeconds: 1800\nnumberOfPlugins: 1\npluginName0: ScriptRunner\npluginPath0: /etc/azure\npluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json\n',
          mode: 0o644,
        },
      },
    ],
    ['pre-script 000 (run as sh <file>)', { '/etc/azure/pre.sh': { content: 'exit 0', mode: 0 } }],
    ['pre-script 600', { '/etc/azure/pre.sh': { content: 'exit 0', mode: 0o600 } }],
    ['pre-script 4700', { '/etc/azure/pre.sh': { content: 'exit 0', mode: 0o4700 } }],
    ['CRLF JSON', { [JSON_PATH]: { content: config().replace(/,/g, ',\r\n'), mode: 0o600 } }],
    ['pluginName "Foo" (only a label)', { [JSON_PATH]: { content: config({ pluginName: 'Foo' }), mode: 0o600 } }],
  ])('%s is accepted', (_name, files) => {
    expect(validateSetup(vm(files)).kind).toBe('valid');
  });

  it('takes the workload flow when workload.conf names a supported database', () => {
    expect(
      validateSetup(vm({ '/etc/azure/workload.conf': { content: '[workload]\nworkload_name = mysql\n' } })),
    ).toMatchObject({
      kind: 'workload',
      workload: 'mysql',
    });
  });

  it('clamps timeoutInSeconds to the host max and 1800, defaulting to 10', () => {
    const timeout = (files: Record<string, FileSpec | undefined>): number => {
      const s = validateSetup(vm(files));
      return s.kind === 'valid' ? s.config.timeoutInSeconds : -1;
    };
    expect(timeout({ [JSON_PATH]: { content: config({ timeoutInSeconds: 5000 }), mode: 0o600 } })).toBe(1800);
    expect(timeout({ [JSON_PATH]: { content: config({ timeoutInSeconds: undefined }), mode: 0o600 } })).toBe(10);
    const host60 =
      '[pre_post]\ntimeoutInSeconds: 60\nnumberOfPlugins: 1\npluginName0: ScriptRunner\npluginPath0: /etc/azure\npluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json\n';
    expect(
      timeout({
        [HOST_CONF]: { content: host60, mode: 0o600 },
        [JSON_PATH]: { content: config({ timeoutInSeconds: 300 }), mode: 0o600 },
      }),
    ).toBe(60);
  });

  it.each([
    [10, 3, 12],
    [30, 3, 30],
    [1, 1, 1],
    [0, 3, 0],
  ])('timeout %is with poll %is waits %is', (timeoutInSeconds, pollSeconds, expected) => {
    const s = validateSetup(
      vm({
        [JSON_PATH]: {
          content: config({ timeoutInSeconds, ScriptsExecutionPollTimeSeconds: pollSeconds }),
          mode: 0o600,
        },
      }),
    );
    if (s.kind !== 'valid') throw new Error('expected a valid setup');
    expect(effectiveScriptTimeoutSeconds(s.config)).toBe(expected);
  });

  it('logs the ScriptRunner config line and the validation summary in the Python 3 wording', () => {
    const s = validateSetup(vm());
    expect(s.log).toContain(
      "Plugin:ScriptRunner timeout:30 pollTotalCount:10.0 preScriptParams:['', ''] postScriptParams:['', ''] continueBackupOnFailure:True preScriptNoOfRetries:0 postScriptNoOfRetries:0 Global FS Freeze on :True",
    );
    expect(s.log).toContain('Validate Scripts output: errorCode - 0 dobackup - True fsFreeze_on - True pollTime - 3');
    expect(s.log.at(-1)).toBe('App Consistent Consistent Backup Enabled');
  });

  // handle.py daemon(): every validation code gets the fallback line; surfaced ones are "enabled" first.
  it.each<[string, Record<string, FileSpec | undefined>, string[]]>([
    [
      'JSON owned by nobody, mode 644 (317, surfaced, backup goes on)',
      { [JSON_PATH]: { content: config(), mode: 0o644, owner: 'nobody' } },
      [
        'Plugin Config file does not have desired permissions',
        'The owner of the Plugin Config file /etc/azure/VMSnapshotScriptPluginConfig.json is nobody but not root',
        'App Consistent Consistent Backup Enabled',
        'Triggering File System Consistent Backup because of error code StatusCode.FailedPrepostPluginConfigPermissionError,',
      ],
    ],
    [
      'pre-script 755 with continueBackupOnFailure false (306, no backup)',
      {
        [JSON_PATH]: { content: config({ continueBackupOnFailure: false }), mode: 0o600 },
        '/etc/azure/pre.sh': { content: 'exit 0\n', mode: 0o755 },
      },
      [
        'App Consistent Consistent Backup Enabled',
        'Triggering File System Consistent Backup because of error code StatusCode.FailedPrepostPreScriptPermissionError,',
        'Plugin Host Precheck Failed StatusCode.FailedPrepostPreScriptPermissionError,',
      ],
    ],
    [
      'missing JSON (316, silent)',
      { [JSON_PATH]: undefined },
      [
        'Plugin host file does not exist in the location /etc/azure/VMSnapshotScriptPluginConfig.json',
        'Triggering File System Consistent Backup because of error code StatusCode.FailedPrepostPluginConfigNotFound,',
      ],
    ],
  ])('logs the end of a failed validation as handle.py does: %s', (_name, files, tail) => {
    expect(validateSetup(vm(files)).log.slice(-tail.length)).toEqual(tail);
  });
});

describe('simulateExtension: facts and script results → outcome (vmsnapshot.md §3.5)', () => {
  const withConfig = (over: Record<string, unknown>) => vm({ [JSON_PATH]: { content: config(over), mode: 0o600 } });

  it.each<[string, FileView, ScriptRun, ScriptRun, string | undefined, string, number, boolean]>([
    ['all good', vm(), ok, ok, 'AppConsistent', 'Completed', 0, true],
    ['pre exits 5 (IRIS success)', vm(), exit(5), ok, 'FileSystemConsistent', 'CompletedWithWarnings', 300, true],
    ['pre exits 2 (sample "warning")', vm(), exit(2), ok, 'FileSystemConsistent', 'CompletedWithWarnings', 300, true],
    ['pre times out', vm(), timedOut, ok, 'FileSystemConsistent', 'CompletedWithWarnings', 308, true],
    ['post fails', vm(), ok, exit(1), 'FileSystemConsistent', 'CompletedWithWarnings', 301, true],
    ['post times out', vm(), ok, timedOut, 'FileSystemConsistent', 'CompletedWithWarnings', 309, true],
    [
      'pre fails, continueBackupOnFailure false',
      withConfig({ continueBackupOnFailure: false }),
      exit(1),
      ok,
      undefined,
      'Failed',
      300,
      true,
    ],
    [
      'post fails, continueBackupOnFailure false',
      withConfig({ continueBackupOnFailure: false }),
      ok,
      exit(1),
      undefined,
      'Failed',
      301,
      true,
    ],
    [
      'pre fails, fsFreezeEnabled false',
      withConfig({ fsFreezeEnabled: false }),
      exit(1),
      ok,
      undefined,
      'Failed',
      300,
      true,
    ],
    [
      'pre fails, fsFreezeEnabled "false" (truthy)',
      withConfig({ fsFreezeEnabled: 'false' }),
      exit(1),
      ok,
      'FileSystemConsistent',
      'CompletedWithWarnings',
      300,
      true,
    ],
    [
      'pre fails, continueBackupOnFailure "false" → crash, no post',
      withConfig({ continueBackupOnFailure: 'false' }),
      exit(1),
      ok,
      undefined,
      'Failed',
      300,
      false,
    ],
    [
      'pre ok, continueBackupOnFailure "false"',
      withConfig({ continueBackupOnFailure: 'false' }),
      ok,
      ok,
      'AppConsistent',
      'Completed',
      0,
      true,
    ],
    [
      'pre fails, string retries → host time-out 310',
      withConfig({ preScriptNoOfRetries: '1' }),
      exit(1),
      ok,
      'FileSystemConsistent',
      'CompletedWithWarnings',
      310,
      true,
    ],
    [
      'pre and post fail: pre code wins',
      vm(),
      exit(1),
      exit(1),
      'FileSystemConsistent',
      'CompletedWithWarnings',
      300,
      true,
    ],
    ['missing JSON: silent', vm({ [JSON_PATH]: undefined }), ok, ok, 'FileSystemConsistent', 'Completed', 0, false],
    [
      'pre 755: surfaced, scripts not run',
      vm({ '/etc/azure/pre.sh': { content: 'x', mode: 0o755 } }),
      ok,
      ok,
      'FileSystemConsistent',
      'CompletedWithWarnings',
      306,
      false,
    ],
    [
      'pre missing + continueBackupOnFailure false',
      vm({
        '/etc/azure/pre.sh': undefined,
        [JSON_PATH]: { content: config({ continueBackupOnFailure: false }), mode: 0o600 },
      }),
      ok,
      ok,
      undefined,
      'Failed',
      302,
      false,
    ],
    [
      'JSON 644 + continueBackupOnFailure false: 317 still backs up',
      vm({ [JSON_PATH]: { content: config({ continueBackupOnFailure: false }), mode: 0o644 } }),
      ok,
      ok,
      'FileSystemConsistent',
      'CompletedWithWarnings',
      317,
      false,
    ],
  ])('%s', (_name, view, pre, post, rpType, jobStatus, code, ranPost) => {
    const r = simulateExtension(view, { pre, post });
    expect(r.outcome.recoveryPointType).toBe(rpType);
    expect(r.outcome.jobStatus).toBe(jobStatus);
    expect(r.outcome.extErrorCode).toBe(code);
    expect(r.ranPost).toBe(ranPost);
    if (code !== 0 && jobStatus !== 'Completed') expect(r.outcome.errorDetail?.errorCode).toBe(code);
  });

  it('names the failure in the extension log templates', () => {
    const failed = simulateExtension(withConfig({ continueBackupOnFailure: false }), { pre: exit(1), post: ok });
    expect(failed.outcome.log).toEqual([
      'PreScript failed for the plugin ScriptRunner StatusCode.FailedPrepostPreScriptFailed,',
    ]);
    const good = simulateExtension(vm(), { pre: ok, post: ok });
    expect(good.outcome.log).toEqual(['Enable Succeeded with App Consistent Snapshot']);
  });

  it('logs retries without re-running, then the exit code', () => {
    const setup = validateSetup(withConfig({ preScriptNoOfRetries: 2 }));
    if (setup.kind !== 'valid') throw new Error('expected a valid setup');
    expect(phaseStartLog(setup.config, 'pre')).toEqual(['Running prescript for ScriptRunner module...']);
    expect(decidePhase(setup.config, 'pre', exit(5)).log).toEqual([
      'Prescript for ScriptRunner failed. Retrying...',
      'Prescript for ScriptRunner failed. Retrying...',
      'Prescript for ScriptRunner failed with error code: 5 .',
      'Finished prescript execution from PluginHost side. Continue Backup: True',
    ]);
  });
});
