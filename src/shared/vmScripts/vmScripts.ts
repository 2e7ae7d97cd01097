/**
 * The shell scripts and config the app sends to VMs (the repo's `vm/` directory), found both from the sources
 * (ts-jest: src/shared/vmScripts) and from the build (dist/src/shared/vmScripts). The deployed package must ship vm/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type VmScriptName = 'probe' | 'iris-pre' | 'iris-post' | 'install' | 'config' | 'drill-verify' | 'thaw';

const FILE_NAMES: Record<VmScriptName, string> = {
  probe: 'probe.sh',
  'iris-pre': 'iris-pre.sh',
  'iris-post': 'iris-post.sh',
  install: 'install.sh',
  config: 'VMSnapshotScriptPluginConfig.json',
  'drill-verify': 'drill-verify.sh',
  /** The frozen-IRIS remediation: the only writing script besides the installer sent to production VMs. */
  thaw: 'thaw.sh',
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
  return `  cat >"$1/${fileName}" <<'${delimiter}' || return 1\n${body}${delimiter}\n`;
}

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let j = 0; j < 8; j++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** `<crc> <size>` as POSIX `cksum` prints them for these bytes (CRC-32/CKSUM over the data, then its length). */
export function posixCksum(data: Buffer): string {
  let crc = 0;
  const add = (byte: number): void => {
    crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] ?? 0)) >>> 0;
  };
  for (const byte of data) add(byte);
  for (let n = data.length; n > 0; n = Math.floor(n / 256)) add(n % 256);
  return `${String(~crc >>> 0)} ${String(data.length)}`;
}

/** What a here-doc writes for `content`: the text with a final newline. */
function hereDocBody(content: string): Buffer {
  return Buffer.from(content.endsWith('\n') ? content : `${content}\n`, 'utf8');
}

/**
 * vm/install.sh with iris-pre.sh, iris-post.sh and the config embedded (with their POSIX cksums, which the installer
 * checks every written file against), so it can be sent as one Run Command script.
 * It prints one `RESULT status=installed|unchanged|failed ...` line.
 */
export function buildInstallScript(): string {
  const install = readVmScript('install');
  if (!install.includes(EMBED_MARKER)) throw new Error('vm/install.sh has lost its embed marker line');
  const files: [string, string, string][] = [
    [FILE_NAMES['iris-pre'], readVmScript('iris-pre'), 'IBG_EOF_PRE'],
    [FILE_NAMES['iris-post'], readVmScript('iris-post'), 'IBG_EOF_POST'],
    [FILE_NAMES.config, readVmScript('config'), 'IBG_EOF_CONFIG'],
  ];
  // The installer verifies every file it writes against these sums (POSIX cksum) before it replaces anything.
  const sums = files.map(([name, content]) => `${posixCksum(hereDocBody(content))} ${name}`).join('\n');
  const payload =
    '  EMBEDDED=1\n' +
    files.map(([name, content, delimiter]) => hereDoc(name, content, delimiter)).join('') +
    `  EXPECTED_SUMS='${sums}\n'\n` +
    '  return 0';
  return install.replace(EMBED_MARKER, () => payload);
}
