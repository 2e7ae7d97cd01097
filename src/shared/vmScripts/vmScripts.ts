/**
 * The shell scripts and config the app sends to VMs (the repo's `vm/` directory), found both from the sources
 * (ts-jest: src/shared/vmScripts) and from the build (dist/src/shared/vmScripts). The deployed package must ship vm/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type VmScriptName = 'probe' | 'iris-pre' | 'iris-post' | 'install' | 'config';

const FILE_NAMES: Record<VmScriptName, string> = {
  probe: 'probe.sh',
  'iris-pre': 'iris-pre.sh',
  'iris-post': 'iris-post.sh',
  install: 'install.sh',
  config: 'VMSnapshotScriptPluginConfig.json',
};

/** The line of vm/install.sh that buildInstallScript replaces with the embedded files. */
const EMBED_MARKER = '  return 1 # @@IBG_EMBEDDED_PAYLOAD@@';

let cachedDir: string | undefined;

function vmDir(): string {
  if (cachedDir !== undefined) return cachedDir;
  const candidates = [path.resolve(__dirname, '../../../vm'), path.resolve(__dirname, '../../../../vm')];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, FILE_NAMES.probe)));
  if (found === undefined) throw new Error(`vm/ scripts not found; looked in ${candidates.join(', ')}`);
  cachedDir = found;
  return found;
}

export function vmScriptPath(name: VmScriptName): string {
  return path.join(vmDir(), FILE_NAMES[name]);
}

export function readVmScript(name: VmScriptName): string {
  return fs.readFileSync(vmScriptPath(name), 'utf8');
}

/** One here-doc that writes `content` to "$1/<fileName>"; the delimiter must not occur as a line of the content. */
function hereDoc(fileName: string, content: string, delimiter: string): string {
  if (content.split('\n').includes(delimiter)) throw new Error(`${fileName} contains the here-doc delimiter`);
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return `  cat >"$1/${fileName}" <<'${delimiter}'\n${body}${delimiter}\n`;
}

/**
 * vm/install.sh with iris-pre.sh, iris-post.sh and the config embedded, so it can be sent as one Run Command script.
 * It prints one `RESULT status=installed|unchanged|failed ...` line.
 */
export function buildInstallScript(): string {
  const install = readVmScript('install');
  if (!install.includes(EMBED_MARKER)) throw new Error('vm/install.sh has lost its embed marker line');
  const payload =
    hereDoc(FILE_NAMES['iris-pre'], readVmScript('iris-pre'), 'IBG_EOF_PRE') +
    hereDoc(FILE_NAMES['iris-post'], readVmScript('iris-post'), 'IBG_EOF_POST') +
    hereDoc(FILE_NAMES.config, readVmScript('config'), 'IBG_EOF_CONFIG') +
    '  return 0';
  return install.replace(EMBED_MARKER, () => payload);
}
