import { checkSetup, type CheckOptions } from '../../src/shared/checks/checkSetup';
import type { Finding } from '../../src/shared/checks/finding';
import { FINDING_CODES } from '../../src/shared/checks/findingCodes';
import type { ProbeFacts } from '../../src/shared/checks/probeFacts';
import {
  CONFIG_PATH,
  configText,
  factsWith,
  healthyFacts,
  HOST_CONF_PATH,
  POST,
  PRE,
  QLIST_RUNNING,
} from './support/probeFactsBuilder';

const OPTIONS: CheckOptions = { vmId: 'vm1' };
const INSTALL = 'iris-backup-guard install --vm vm1';
/** The sed command the checks print to set one key of the JSON config (checked for real in fixCommands.test.ts). */
const sedSet = (key: string, literal: string): string =>
  `sudo sed -z -i -E 's/("${key}"[[:space:]]*:)[[:space:]]*(\\[[^]]*\\]|"[^"]*"|[^,}]*)/\\1 ${literal}/' ${CONFIG_PATH}`;
const chownConf = `sudo chown root:root ${CONFIG_PATH} && sudo chmod 600 ${CONFIG_PATH}`;
const hostConf = (text: string, owner = 'root', mode = '600') => ({
  path: HOST_CONF_PATH,
  exists: true,
  isFile: true,
  owner,
  mode,
  text,
});
const HOST_OK =
  '[pre_post]\ntimeoutInSeconds: 1800\nnumberOfPlugins: 1\npluginName0: ScriptRunner\npluginPath0: /etc/azure\npluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json\n';
const setConfig =
  (over: Record<string, unknown>, remove: string[] = []) =>
  (f: ProbeFacts) => {
    f.config.text = configText(over, remove);
  };

type Expected = Pick<Finding, 'code' | 'severity' | 'impact' | 'fix'> & { ext?: number; message?: RegExp };
type Row = [string, (f: ProbeFacts) => void, Expected, CheckOptions?];

const rows: Row[] = [
  // §8.1 workload.conf
  [
    'workload.conf names oracle',
    (f) => (f.workloadConf.text = '[workload]\nworkload_name = oracle\n'),
    {
      code: 'WorkloadConfOverridesScripts',
      severity: 'error',
      impact: 'file-system-fallback',
      fix: "sudo sed -i 's/^\\([[:space:]]*workload_name[[:space:]]*[=:]\\).*/\\1/' /etc/azure/workload.conf",
      message: /workload_name = oracle/,
    },
  ],
  [
    'workload.conf names MySQL (any case)',
    (f) => (f.workloadConf.text = '[workload]\nworkload_name: MySQL\n'),
    {
      code: 'WorkloadConfOverridesScripts',
      severity: 'error',
      impact: 'file-system-fallback',
      fix: "sudo sed -i 's/^\\([[:space:]]*workload_name[[:space:]]*[=:]\\).*/\\1/' /etc/azure/workload.conf",
      message: /mysql flow/,
    },
  ],
  // §8.2 host conf, 314 and 304 (silent)
  [
    'host conf owned by nobody (314)',
    (f) => (f.hostConf = hostConf(HOST_OK, 'nobody')),
    {
      code: 'IncorrectPluginhostFile',
      ext: 314,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo chown root:root ${HOST_CONF_PATH} && sudo chmod 600 ${HOST_CONF_PATH}`,
      message: /owned by nobody/,
    },
  ],
  [
    'host conf mode 660 (314)',
    (f) => (f.hostConf = hostConf(HOST_OK, 'root', '660')),
    {
      code: 'IncorrectPluginhostFile',
      ext: 314,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo chown root:root ${HOST_CONF_PATH} && sudo chmod 600 ${HOST_CONF_PATH}`,
      message: /mode 660/,
    },
  ],
  [
    'host conf mode 606 (314)',
    (f) => (f.hostConf = hostConf(HOST_OK, 'root', '606')),
    {
      code: 'IncorrectPluginhostFile',
      ext: 314,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo chown root:root ${HOST_CONF_PATH} && sudo chmod 600 ${HOST_CONF_PATH}`,
    },
  ],
  [
    'host conf timeout not an integer (304)',
    (f) => (f.hostConf = hostConf(HOST_OK.replace('1800', 'abc'))),
    {
      code: 'IncorrectPluginhostFile',
      ext: 304,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo mv ${HOST_CONF_PATH} ${HOST_CONF_PATH}.disabled   # the extension then uses its shipped copy`,
      message: /"abc" is not an integer/,
    },
  ],
  [
    'host conf without section header (304)',
    (f) => (f.hostConf = hostConf('timeoutInSeconds: 60\n')),
    {
      code: 'IncorrectPluginhostFile',
      ext: 304,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo mv ${HOST_CONF_PATH} ${HOST_CONF_PATH}.disabled   # the extension then uses its shipped copy`,
      message: /no section headers/,
    },
  ],
  [
    'host conf names another plugin module (304)',
    (f) => (f.hostConf = hostConf(HOST_OK.replace('pluginName0: ScriptRunner', 'pluginName0: Foo'))),
    {
      code: 'IncorrectPluginhostFile',
      ext: 304,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo mv ${HOST_CONF_PATH} ${HOST_CONF_PATH}.disabled   # the extension then uses its shipped copy`,
      message: /pluginName0 is "Foo"/,
    },
  ],
  [
    'host conf with numberOfPlugins 0',
    (f) => (f.hostConf = hostConf(HOST_OK.replace('numberOfPlugins: 1', 'numberOfPlugins: 0'))),
    {
      code: 'PluginHostConfHasNoPlugins',
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo mv ${HOST_CONF_PATH} ${HOST_CONF_PATH}.disabled   # the extension then uses its shipped copy`,
    },
  ],
  [
    'host conf redirects the JSON',
    (f) => {
      f.hostConf = hostConf(HOST_OK.replace('/etc/azure/VMSnapshotScriptPluginConfig.json', '/opt/iris.json'));
      f.config.path = '/opt/iris.json';
    },
    {
      code: 'PluginHostConfRedirectsConfig',
      severity: 'info',
      impact: 'app-consistent',
      fix: `sudo grep -n pluginConfigPath0 ${HOST_CONF_PATH}`,
      message: /\/opt\/iris\.json/,
    },
  ],
  [
    'host conf lowers the maximum timeout to 60',
    (f) => (f.hostConf = hostConf(HOST_OK.replace('1800', '60'))),
    {
      code: 'TimeoutInSecondsClamped',
      severity: 'info',
      impact: 'app-consistent',
      fix: sedSet('timeoutInSeconds', '60'),
      message: /host conf's maximum of 60; the extension uses 60 seconds/,
    },
  ],
  // §8.3 the JSON: 316, 317, 305, 304 and the silent value quirks
  [
    'JSON missing (316)',
    (f) => (f.config = { path: CONFIG_PATH, exists: false, isFile: false }),
    { code: 'PluginConfigNotFound', ext: 316, severity: 'error', impact: 'file-system-fallback', fix: INSTALL },
  ],
  [
    'JSON is a directory (316)',
    (f) => (f.config = { path: CONFIG_PATH, exists: true, isFile: false }),
    { code: 'PluginConfigNotFound', ext: 316, severity: 'error', impact: 'file-system-fallback', fix: INSTALL },
  ],
  ...(['640', '604', '644', '660', '610', '601', '700'] as const).map((mode): Row => [
    `JSON mode ${mode} (317)`,
    (f) => (f.config.mode = mode),
    {
      code: 'PluginConfigPermissionError',
      ext: 317,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: chownConf,
      message: new RegExp(`mode ${mode}`),
    },
  ]),
  [
    'JSON owned by nobody (317)',
    (f) => (f.config.owner = 'nobody'),
    {
      code: 'PluginConfigPermissionError',
      ext: 317,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: chownConf,
      message: /owned by nobody/,
    },
  ],
  [
    'JSON with a UTF-8 BOM (305)',
    (f) => {
      f.config.text = `\ufeff${configText()}`;
      f.config.bom = true;
    },
    {
      code: 'IncorrectJSONConfigFile',
      ext: 305,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo sed -i '1s/^\\xEF\\xBB\\xBF//' ${CONFIG_PATH}`,
      message: /byte order mark/,
    },
  ],
  [
    'JSON with only the bom flag set (305)',
    (f) => (f.config.bom = true),
    {
      code: 'IncorrectJSONConfigFile',
      ext: 305,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo sed -i '1s/^\\xEF\\xBB\\xBF//' ${CONFIG_PATH}`,
    },
  ],
  [
    'invalid JSON (305)',
    (f) => (f.config.text = '{ "preScriptLocation": "/etc/azure/iris-pre.sh", }'),
    {
      code: 'IncorrectJSONConfigFile',
      ext: 305,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: INSTALL,
      message: /invalid JSON/,
    },
  ],
  [
    'empty JSON file (305)',
    (f) => (f.config.text = ''),
    {
      code: 'IncorrectJSONConfigFile',
      ext: 305,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: INSTALL,
      message: /empty/,
    },
  ],
  [
    'JSON without preScriptLocation (305)',
    setConfig({}, ['preScriptLocation']),
    {
      code: 'IncorrectJSONConfigFile',
      ext: 305,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: INSTALL,
      message: /'preScriptLocation' is missing/,
    },
  ],
  [
    'JSON without postScriptLocation (305)',
    setConfig({}, ['postScriptLocation']),
    {
      code: 'IncorrectJSONConfigFile',
      ext: 305,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: INSTALL,
      message: /'postScriptLocation' is missing/,
    },
  ],
  [
    'poll time "abc" (305)',
    setConfig({ ScriptsExecutionPollTimeSeconds: 'abc' }),
    {
      code: 'IncorrectJSONConfigFile',
      ext: 305,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: sedSet('ScriptsExecutionPollTimeSeconds', '1'),
      message: /ValueError/,
    },
  ],
  [
    'top-level array (304)',
    (f) => (f.config.text = '[1, 2]'),
    {
      code: 'PluginConfigTypeError',
      ext: 304,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: INSTALL,
      message: /array/,
    },
  ],
  [
    'string timeoutInSeconds on Python 3 (304)',
    setConfig({ timeoutInSeconds: '30' }),
    {
      code: 'PluginConfigTypeError',
      ext: 304,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: sedSet('timeoutInSeconds', '60'),
      message: /timeoutInSeconds is a str/,
    },
  ],
  [
    'null poll time (304)',
    setConfig({ ScriptsExecutionPollTimeSeconds: null }),
    {
      code: 'PluginConfigTypeError',
      ext: 304,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: sedSet('ScriptsExecutionPollTimeSeconds', '1'),
      message: /TypeError/,
    },
  ],
  [
    'non-string preScriptLocation (304)',
    setConfig({ preScriptLocation: 5 }),
    {
      code: 'PluginConfigTypeError',
      ext: 304,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo sed -i -E 's#("preScriptLocation"[[:space:]]*:)[^,}]*#\\1 "/etc/azure/iris-pre-script.sh"#' ${CONFIG_PATH}`,
    },
  ],
  [
    'probe could not read the JSON',
    (f) => delete f.config.text,
    { code: 'PluginConfigUnreadable', severity: 'warning', impact: 'unknown', fix: `sudo cat ${CONFIG_PATH}` },
  ],
  [
    'timeoutInSeconds absent: 10 s',
    setConfig({}, ['timeoutInSeconds']),
    {
      code: 'TimeoutInSecondsDefault',
      severity: 'warning',
      impact: 'app-consistent',
      fix: `sudo sed -i '0,/{/s//{ "timeoutInSeconds": 60,/' ${CONFIG_PATH}`,
      message: /10 seconds/,
    },
  ],
  [
    'timeoutInSeconds 5000 clamped to 1800',
    setConfig({ timeoutInSeconds: 5000 }),
    {
      code: 'TimeoutInSecondsClamped',
      severity: 'info',
      impact: 'app-consistent',
      fix: sedSet('timeoutInSeconds', '1800'),
      message: /5000, above the maximum of 1800; the extension uses 1800 seconds/,
    },
  ],
  [
    'timeoutInSeconds 0 (308)',
    setConfig({ timeoutInSeconds: 0 }),
    {
      code: 'TimeoutInSecondsTooLow',
      ext: 308,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: sedSet('timeoutInSeconds', '60'),
    },
  ],
  ...([0, 9, -1, '6', false] as const).map((v): Row => [
    `poll time ${JSON.stringify(v)} silently ignored`,
    setConfig({ ScriptsExecutionPollTimeSeconds: v }),
    {
      code: 'PollTimeIgnored',
      severity: 'info',
      impact: 'app-consistent',
      fix: sedSet('ScriptsExecutionPollTimeSeconds', '1'),
      message: /keeps 3/,
    },
  ]),
  [
    'string retries (310 when the script fails)',
    setConfig({ preScriptNoOfRetries: '2' }),
    {
      code: 'RetriesNotNumber',
      ext: 310,
      severity: 'warning',
      impact: 'app-consistent',
      fix: sedSet('preScriptNoOfRetries', '0'),
      message: /"2" \(a str\)/,
    },
  ],
  [
    'null post retries (311)',
    setConfig({ postScriptNoOfRetries: null }),
    {
      code: 'RetriesNotNumber',
      ext: 311,
      severity: 'warning',
      impact: 'app-consistent',
      fix: sedSet('postScriptNoOfRetries', '0'),
    },
  ],
  [
    'retries 2 never re-run anything',
    setConfig({ preScriptNoOfRetries: 2 }),
    { code: 'RetriesDoNothing', severity: 'info', impact: 'app-consistent', fix: sedSet('preScriptNoOfRetries', '0') },
  ],
  [
    'continueBackupOnFailure "false" (string)',
    setConfig({ continueBackupOnFailure: 'false' }),
    {
      code: 'ContinueBackupOnFailureIsString',
      severity: 'critical',
      impact: 'iris-left-frozen',
      fix: sedSet('continueBackupOnFailure', 'true'),
      message: /"false" \(a str, not a JSON boolean\)/,
    },
  ],
  [
    'continueBackupOnFailure null',
    setConfig({ continueBackupOnFailure: null }),
    {
      code: 'ContinueBackupOnFailureIsString',
      severity: 'critical',
      impact: 'iris-left-frozen',
      fix: sedSet('continueBackupOnFailure', 'true'),
    },
  ],
  [
    'continueBackupOnFailure false',
    setConfig({ continueBackupOnFailure: false }),
    {
      code: 'ContinueBackupOnFailureFalse',
      severity: 'info',
      impact: 'app-consistent',
      fix: sedSet('continueBackupOnFailure', 'true'),
    },
  ],
  [
    'fsFreezeEnabled "false" still freezes',
    setConfig({ fsFreezeEnabled: 'false' }),
    {
      code: 'FsFreezeEnabledNotBoolean',
      severity: 'warning',
      impact: 'app-consistent',
      fix: sedSet('fsFreezeEnabled', 'true'),
      message: /still frozen/,
    },
  ],
  [
    'params as a string are split into characters',
    setConfig({ preScriptParams: 'IRIS' }),
    {
      code: 'ScriptParamsNotArray',
      severity: 'warning',
      impact: 'app-consistent',
      fix: sedSet('preScriptParams', '["IRIS"]'),
      message: /\["I","R","I","S"\]/,
    },
  ],
  [
    'pre params a number: runner crashes (310)',
    setConfig({ preScriptParams: 5 }),
    {
      code: 'ScriptParamsNotArray',
      ext: 310,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: sedSet('preScriptParams', '[]'),
    },
  ],
  [
    'post params null: post-script never runs (311)',
    setConfig({ postScriptParams: null }),
    {
      code: 'ScriptParamsNotArray',
      ext: 311,
      severity: 'critical',
      impact: 'iris-left-frozen',
      fix: sedSet('postScriptParams', '[]'),
    },
  ],
  [
    'the template\'s ["", ""] params',
    setConfig({ preScriptParams: ['', ''] }),
    {
      code: 'ScriptParamsEmptyStrings',
      severity: 'info',
      impact: 'app-consistent',
      fix: sedSet('preScriptParams', '[]'),
      message: /2 argument\(s\)/,
    },
  ],
  [
    'non-string params',
    setConfig({ postScriptParams: [true, null] }),
    {
      code: 'ScriptParamsNotStrings',
      severity: 'info',
      impact: 'app-consistent',
      fix: sedSet('postScriptParams', '[]'),
    },
  ],
  // §8.4 scripts: 302, 303, 306, 307
  [
    'template: empty preScriptLocation (302)',
    setConfig({ preScriptLocation: '' }),
    {
      code: 'Pre-ScriptNotFound',
      ext: 302,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: INSTALL,
      message: /empty/,
    },
  ],
  [
    'relative preScriptLocation (302)',
    setConfig({ preScriptLocation: 'iris-pre.sh' }),
    {
      code: 'Pre-ScriptNotFound',
      ext: 302,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: INSTALL,
      message: /relative/,
    },
  ],
  [
    'pre-script missing (302)',
    (f) => (f.pre = { path: PRE, exists: false, isFile: false }),
    {
      code: 'Pre-ScriptNotFound',
      ext: 302,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: INSTALL,
      message: /does not exist/,
    },
  ],
  [
    'pre-script is a dangling symlink (302)',
    (f) => (f.pre = { path: PRE, exists: false, isFile: false, isLink: true }),
    {
      code: 'Pre-ScriptNotFound',
      ext: 302,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: INSTALL,
      message: /symlink/,
    },
  ],
  [
    'pre-script is a directory (302)',
    (f) => (f.pre = { path: PRE, exists: true, isFile: false }),
    { code: 'Pre-ScriptNotFound', ext: 302, severity: 'error', impact: 'file-system-fallback', fix: INSTALL },
  ],
  [
    'pre-script missing with continueBackupOnFailure false: no snapshot',
    (f) => {
      f.pre = { path: PRE, exists: false, isFile: false };
      f.config.text = configText({ continueBackupOnFailure: false });
    },
    { code: 'Pre-ScriptNotFound', ext: 302, severity: 'error', impact: 'no-snapshot', fix: INSTALL },
  ],
  [
    'post-script missing (303)',
    (f) => (f.post = { path: POST, exists: false, isFile: false }),
    { code: 'Post-ScriptNotFound', ext: 303, severity: 'error', impact: 'file-system-fallback', fix: INSTALL },
  ],
  ...(['750', '705', '710', '701', '770', '755'] as const).map((mode): Row => [
    `pre-script mode ${mode} (306)`,
    (f) => f.pre && (f.pre.mode = mode),
    {
      code: 'InsufficientPermissionforPre-Script',
      ext: 306,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo chown root:root ${PRE} && sudo chmod 700 ${PRE}`,
      message: new RegExp(`mode ${mode}`),
    },
  ]),
  [
    'pre-script owned by nobody (306)',
    (f) => f.pre && (f.pre.owner = 'nobody'),
    {
      code: 'InsufficientPermissionforPre-Script',
      ext: 306,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo chown root:root ${PRE} && sudo chmod 700 ${PRE}`,
      message: /owned by nobody/,
    },
  ],
  [
    'post-script mode 755 (307)',
    (f) => f.post && (f.post.mode = '755'),
    {
      code: 'InsufficientPermissionforPost-Script',
      ext: 307,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo chown root:root ${POST} && sudo chmod 700 ${POST}`,
    },
  ],
  [
    'post-script owned by nobody (307)',
    (f) => f.post && (f.post.owner = 'nobody'),
    {
      code: 'InsufficientPermissionforPost-Script',
      ext: 307,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo chown root:root ${POST} && sudo chmod 700 ${POST}`,
    },
  ],
  // §8.5 script content: runtime codes predicted from the text
  [
    'pre-script with CRLF (300)',
    (f) => f.pre && (f.pre.crlf = true),
    {
      code: 'ScriptCrlfLineEndings',
      ext: 300,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo sed -i 's/\\r$//' ${PRE}`,
    },
  ],
  [
    'post-script with CRLF: thaw breaks (301)',
    (f) => f.post && (f.post.crlf = true),
    {
      code: 'ScriptCrlfLineEndings',
      ext: 301,
      severity: 'critical',
      impact: 'iris-left-frozen',
      fix: `sudo sed -i 's/\\r$//' ${POST}`,
    },
  ],
  [
    'pre-script with a bash array (300)',
    (f) => f.pre && (f.pre.bashisms = ['array']),
    {
      code: 'ScriptNotPosixSh',
      ext: 300,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo sed -i '1a [ -z "$BASH_VERSION" ] \\&\\& exec /bin/bash "$0" "$@"' ${PRE}`,
      message: /syntax error in dash/,
    },
  ],
  [
    'pre-script with [[ ]] (misbehaves)',
    (f) => f.pre && (f.pre.bashisms = ['double-bracket']),
    {
      code: 'ScriptNotPosixSh',
      ext: 300,
      severity: 'error',
      impact: 'unknown',
      fix: `sudo sed -i '1a [ -z "$BASH_VERSION" ] \\&\\& exec /bin/bash "$0" "$@"' ${PRE}`,
      message: /silently misbehave/,
    },
  ],
  [
    'post-script with |& (301)',
    (f) => f.post && (f.post.bashisms = ['pipe-ampersand']),
    {
      code: 'ScriptNotPosixSh',
      ext: 301,
      severity: 'critical',
      impact: 'iris-left-frozen',
      fix: `sudo sed -i '1a [ -z "$BASH_VERSION" ] \\&\\& exec /bin/bash "$0" "$@"' ${POST}`,
    },
  ],
  [
    'pre-script passes exit 5 through (300 every night)',
    (f) => f.pre && Object.assign(f.pre, { checksFive: false, exitLines: ['exit $status'], ibgScript: undefined }),
    {
      code: 'ScriptExitsFiveOnSuccess',
      ext: 300,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: INSTALL,
      message: /never compares the status with 5/,
    },
  ],
  [
    "Microsoft's Caché sample: checks 5 but has exit 5",
    (f) => f.pre && Object.assign(f.pre, { checksFive: true, exitLines: ['exit 5'] }),
    { code: 'ScriptExitsFiveOnSuccess', ext: 300, severity: 'error', impact: 'file-system-fallback', fix: INSTALL },
  ],
  [
    'exit 5 with continueBackupOnFailure false: no snapshot',
    (f) => {
      if (f.pre) f.pre.checksFive = false;
      f.config.text = configText({ continueBackupOnFailure: false });
    },
    { code: 'ScriptExitsFiveOnSuccess', ext: 300, severity: 'error', impact: 'no-snapshot', fix: INSTALL },
  ],
  [
    'exit 5 with continueBackupOnFailure "false": IRIS stays frozen',
    (f) => {
      if (f.pre) f.pre.checksFive = false;
      f.config.text = configText({ continueBackupOnFailure: 'false' });
    },
    { code: 'ScriptExitsFiveOnSuccess', ext: 300, severity: 'critical', impact: 'iris-left-frozen', fix: INSTALL },
  ],
  [
    'exit 5 with fsFreezeEnabled false: no snapshot',
    (f) => {
      if (f.pre) f.pre.checksFive = false;
      f.config.text = configText({ fsFreezeEnabled: false });
    },
    { code: 'ScriptExitsFiveOnSuccess', ext: 300, severity: 'error', impact: 'no-snapshot', fix: INSTALL },
  ],
  [
    'post-script passes the thaw status 5 through (301)',
    (f) => f.post && (f.post.checksFive = false),
    { code: 'ScriptExitsFiveOnSuccess', ext: 301, severity: 'error', impact: 'file-system-fallback', fix: INSTALL },
  ],
  [
    'pre-script writes to stdout (308)',
    (f) => f.pre && (f.pre.stdoutWrites = 3),
    {
      code: 'ScriptWritesStdout',
      ext: 308,
      severity: 'warning',
      impact: 'app-consistent',
      fix: `sudo sed -i '1a exec >>/var/log/iris-backup-guard-prescript.out 2>&1' ${PRE}`,
      message: /3 line\(s\)/,
    },
  ],
  [
    'post-script writes to stdout (309)',
    (f) => f.post && (f.post.stdoutWrites = 1),
    {
      code: 'ScriptWritesStdout',
      ext: 309,
      severity: 'warning',
      impact: 'app-consistent',
      fix: `sudo sed -i '1a exec >>/var/log/iris-backup-guard-postscript.out 2>&1' ${POST}`,
    },
  ],
  [
    'freeze attempt as long as the script timeout (308)',
    (f) => f.pre && (f.pre.freezeAttemptTimeout = 300),
    {
      code: 'FreezeTimeoutNotBelowScriptTimeout',
      ext: 308,
      severity: 'warning',
      impact: 'app-consistent',
      fix: sedSet('timeoutInSeconds', '320'),
      message: /300 seconds, not safely below the 300-second script timeout/,
    },
  ],
  [
    'freeze attempt too long for the host maximum: shorten the attempt',
    (f) => {
      f.hostConf = hostConf(HOST_OK.replace('1800', '60'));
      if (f.pre) f.pre.freezeAttemptTimeout = 55;
    },
    {
      code: 'FreezeTimeoutNotBelowScriptTimeout',
      ext: 308,
      severity: 'warning',
      impact: 'app-consistent',
      fix: `sudo sed -i -E 's/^((readonly )?FREEZE_ATTEMPT_TIMEOUT=)[0-9]+/\\140/' ${PRE}`,
    },
  ],
  [
    'unbounded freeze in a third-party pre-script',
    (f) => f.pre && Object.assign(f.pre, { freezeAttemptTimeout: undefined, ibgScript: undefined }),
    {
      code: 'FreezeTimeoutNotBelowScriptTimeout',
      ext: 308,
      severity: 'warning',
      impact: 'app-consistent',
      fix: INSTALL,
      message: /does not bound its IRIS freeze attempt/,
    },
  ],
  [
    'pre-script never freezes IRIS',
    (f) => f.pre && Object.assign(f.pre, { freezeCalls: 0, freezeCall: undefined }),
    { code: 'PreScriptDoesNotFreezeIris', severity: 'error', impact: 'file-system-fallback', fix: INSTALL },
  ],
  [
    'post-script never thaws IRIS',
    (f) => f.post && (f.post.thawCalls = 0),
    { code: 'PostScriptMissingThaw', severity: 'critical', impact: 'iris-left-frozen', fix: INSTALL },
  ],
  [
    'our script is older than the one shipped',
    () => undefined,
    {
      code: 'ScriptOutdated',
      severity: 'info',
      impact: 'app-consistent',
      fix: INSTALL,
      message: /pre v1; this app ships v2/,
    },
    { vmId: 'vm1', currentScriptVersion: 2 },
  ],
  // IRIS state
  [
    'no IRIS on the VM',
    (f) => (f.iris = { present: false }),
    {
      code: 'IrisNotFound',
      severity: 'warning',
      impact: 'unknown',
      fix: "Install IRIS, or put its bin directory on root's PATH (e.g. sudo ln -s /usr/irissys/bin/iris /usr/bin/iris).",
    },
  ],
  [
    'qlist lists no instance',
    (f) => (f.iris = { present: true, command: 'iris', qlist: '' }),
    { code: 'IrisNoInstances', severity: 'warning', impact: 'unknown', fix: 'sudo iris qlist' },
  ],
  [
    'instance down',
    (f) =>
      (f.iris.qlist =
        'IRIS^/usr/irissys^2024.1^down, last used Fri May 13 18:12:33 2026^iris.cpf^1972^52773^62972^^IRIS'),
    {
      code: 'IrisInstanceDown',
      ext: 300,
      severity: 'warning',
      impact: 'file-system-fallback',
      fix: 'sudo iris start IRIS',
      message: /down, last used/,
    },
  ],
  [
    'IRIS frozen right now',
    (f) => (f.iris.wd = [{ instance: 'IRIS', rc: 5 }]),
    {
      code: 'IrisAlreadyFrozen',
      severity: 'critical',
      impact: 'iris-left-frozen',
      fix: "sudo iris session IRIS -U%SYS '##Class(Backup.General).ExternalThaw()'",
    },
  ],
  [
    'Caché frozen right now',
    (f) => {
      f.iris.command = 'ccontrol';
      f.iris.qlist = 'CACHE^/usr/cachesys^2018.1^running, since Mon^cache.cpf^1972^57772^62972^ok^';
      f.iris.wd = [{ instance: 'CACHE', rc: 5 }];
      if (f.pre) f.pre.freezeCall = 'csession CACHE -U%SYS "##Class(Backup.General).ExternalFreeze()"';
    },
    {
      code: 'IrisAlreadyFrozen',
      severity: 'critical',
      impact: 'iris-left-frozen',
      fix: "sudo csession CACHE -U%SYS '##Class(Backup.General).ExternalThaw()'",
    },
  ],
  [
    'freeze state unknown',
    (f) => (f.iris.wd = [{ instance: 'IRIS', rc: 1 }]),
    {
      code: 'IrisFrozenStateUnknown',
      severity: 'warning',
      impact: 'unknown',
      fix: "sudo iris session IRIS -U%SYS '##Class(Backup.General).IsWDSuspendedExt()'; echo $?",
    },
  ],
  [
    'mirror primary, backup member known from inventory',
    (f) => (f.iris.qlist = QLIST_RUNNING.replace('^IRIS^^^', '^IRIS^Failover^Primary^')),
    {
      code: 'IrisMirrorPrimary',
      severity: 'warning',
      impact: 'app-consistent',
      fix: 'Protect the VM of IRISB (the backup failover member) instead of this one.',
      message: /back up the backup failover member IRISB instead/,
    },
    { vmId: 'vm1', mirrorBackupMember: 'IRISB' },
  ],
  [
    'mirror primary, backup member not visible',
    (f) => (f.iris.qlist = QLIST_RUNNING.replace('^IRIS^^^', '^IRIS^Failover^Primary^')),
    {
      code: 'IrisMirrorPrimary',
      severity: 'warning',
      impact: 'app-consistent',
      fix: 'Protect the VM of the backup failover member instead of this one.',
    },
  ],
  [
    'pre-script still has the <CACHE INSTANCE> placeholder',
    (f) =>
      f.pre &&
      (f.pre.freezeCall = 'csession <CACHE INSTANCE> -U%SYS "##Class(Backup.General).ExternalFreeze()" >> $log_path'),
    {
      code: 'PreScriptWrongInstance',
      ext: 300,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo sed -i 's/<CACHE/IRIS/' ${PRE}`,
      message: /placeholder "<CACHE"/,
    },
  ],
  [
    'pre-script freezes an instance that does not exist',
    (f) => f.pre && (f.pre.freezeCall = 'iris session PROD -U%SYS "##Class(Backup.General).ExternalFreeze()"'),
    {
      code: 'PreScriptWrongInstance',
      ext: 300,
      severity: 'error',
      impact: 'file-system-fallback',
      fix: `sudo sed -i 's/PROD/IRIS/' ${PRE}`,
    },
  ],
  [
    'extension not installed yet',
    (f) => (f.extension.versions = []),
    {
      code: 'BackupExtensionNotInstalled',
      severity: 'info',
      impact: 'app-consistent',
      fix: 'Run a first backup (iris-backup-guard backs up enrolled VMs nightly).',
    },
  ],
];

describe('checkSetup', () => {
  it('finds nothing on a VM set up by our installer', () => {
    expect(checkSetup(healthyFacts(), OPTIONS)).toEqual([]);
  });

  // Every row gets all four columns: jest would take a missing fourth argument for a `done` callback.
  it.each(rows.map((r) => [r[0], r[1], r[2], r[3] ?? OPTIONS] as const))('%s', (_name, edit, expected, options) => {
    const findings = checkSetup(factsWith(edit), options);
    const match = findings.find((f) => f.code === expected.code);
    expect(match).toBeDefined();
    expect(match).toMatchObject({
      code: expected.code,
      severity: expected.severity,
      impact: expected.impact,
      fix: expected.fix,
    });
    expect(match?.extensionStatusCode).toBe(expected.ext);
    if (expected.message) expect(match?.message).toMatch(expected.message);
  });

  it('every catalogue code has a row above, and every row uses a catalogue code', () => {
    const used = new Set(rows.map((r) => r[2].code));
    expect([...used].sort()).toEqual(Object.keys(FINDING_CODES).sort());
  });

  it.each([
    ['host conf mode 644', (f: ProbeFacts) => (f.hostConf = hostConf(HOST_OK, 'root', '644'))],
    ['host conf mode 740', (f: ProbeFacts) => (f.hostConf = hostConf(HOST_OK, 'root', '740'))],
    ['host conf mode 1644', (f: ProbeFacts) => (f.hostConf = hostConf(HOST_OK, 'root', '1644'))],
    ['JSON mode 400', (f: ProbeFacts) => (f.config.mode = '400')],
    ['JSON mode 4600', (f: ProbeFacts) => (f.config.mode = '4600')],
    ['JSON mode 000', (f: ProbeFacts) => (f.config.mode = '0')],
    ['script mode 600 (no exec bit needed)', (f: ProbeFacts) => f.pre && (f.pre.mode = '600')],
    ['script mode 000', (f: ProbeFacts) => f.pre && (f.pre.mode = '0')],
    ['script mode 4700', (f: ProbeFacts) => f.post && (f.post.mode = '4700')],
    ['poll "2" accepted via int()', setConfig({ ScriptsExecutionPollTimeSeconds: '2' })],
    ['poll 4.9 accepted via int()', setConfig({ ScriptsExecutionPollTimeSeconds: 4.9 })],
    ['poll true is int 1', setConfig({ ScriptsExecutionPollTimeSeconds: true })],
    ['pluginName is only a label', setConfig({ pluginName: 'Foo' })],
    ['unknown keys are ignored', setConfig({ appName: 'iris', extra: [1] })],
    ['continueBackupOnFailure 1 works like true', setConfig({ continueBackupOnFailure: 1 })],
    ['CRLF in the JSON is fine', (f: ProbeFacts) => (f.config.text = configText().replace(/\n/g, '\r\n'))],
    [
      'workload.conf without a supported workload',
      (f: ProbeFacts) => (f.workloadConf.text = '[workload]\nworkload_name = iris\n'),
    ],
    [
      'bashisms in a script that re-execs bash',
      (f: ProbeFacts) => f.pre && Object.assign(f.pre, { bashisms: ['array'], reexecsBash: true }),
    ],
    [
      'instance name in another case',
      (f: ProbeFacts) =>
        f.pre && (f.pre.freezeCall = 'iris session iris -U%SYS "##Class(Backup.General).ExternalFreeze(0)"'),
    ],
    ['a host conf that is correct', (f: ProbeFacts) => (f.hostConf = hostConf(HOST_OK))],
  ])('accepts %s', (_name, edit) => {
    expect(checkSetup(factsWith(edit), OPTIONS)).toEqual([]);
  });

  it('ignores the script config entirely when workload.conf takes over', () => {
    const findings = checkSetup(
      factsWith((f) => {
        f.workloadConf.text = '[workload]\nworkload_name = postgres\n';
        f.config = { path: CONFIG_PATH, exists: false, isFile: false };
        f.iris.wd = [{ instance: 'IRIS', rc: 5 }];
        if (f.pre) f.pre.freezeCall = 'iris session PROD -U%SYS "##Class(Backup.General).ExternalFreeze()"';
      }),
      OPTIONS,
    );
    expect(findings.map((f) => f.code)).toEqual(['IrisAlreadyFrozen', 'WorkloadConfOverridesScripts']);
  });

  it('lists every validation problem at once, worst first', () => {
    const findings = checkSetup(
      factsWith((f) => {
        f.config.text = configText({ continueBackupOnFailure: 'false' });
        f.pre = { path: PRE, exists: false, isFile: false };
        if (f.post) f.post.mode = '755';
      }),
      OPTIONS,
    );
    expect(findings.map((f) => f.code)).toEqual([
      'ContinueBackupOnFailureIsString',
      'Pre-ScriptNotFound',
      'InsufficientPermissionforPost-Script',
    ]);
  });

  it('quotes hostile paths from the VM in fix commands', () => {
    const evil = "/etc/azure/x'; rm -rf / #.sh";
    const findings = checkSetup(
      factsWith((f) => {
        f.config.text = configText({ preScriptLocation: evil });
        f.pre = { path: evil, exists: true, isFile: true, owner: 'nobody', mode: '700' };
      }),
      OPTIONS,
    );
    const perm = findings.find((f) => f.code === 'InsufficientPermissionforPre-Script');
    expect(perm?.fix).toBe(
      `sudo chown root:root '/etc/azure/x'\\''; rm -rf / #.sh' && sudo chmod 700 '/etc/azure/x'\\''; rm -rf / #.sh'`,
    );
  });
});
