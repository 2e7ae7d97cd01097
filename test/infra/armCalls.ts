/**
 * Test helper: the Azure Resource Manager operations the gateways call, read from their source. A call is
 * `<receiver>.<operationGroup>.<method>(` where the operation group is a property of one of the ARM SDK clients the
 * app builds (read from the SDK's type declarations), so a new SDK call is found without anyone listing it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
const GATEWAYS = join(ROOT, 'src', 'shared', 'gateways');

/** The ARM SDK packages whose clients azureClients.ts builds, with the client class each exports. */
export const ARM_SDKS: readonly { pkg: string; client: string }[] = [
  { pkg: '@azure/arm-compute', client: 'ComputeManagementClient' },
  { pkg: '@azure/arm-network', client: 'NetworkManagementClient' },
  { pkg: '@azure/arm-recoveryservicesbackup', client: 'RecoveryServicesBackupClient' },
  { pkg: '@azure/arm-storage', client: 'StorageManagementClient' },
];

export interface SdkCall {
  group: string;
  method: string;
  file: string;
}

/** Every .ts file under src/shared/gateways, recursively, as [relative path, text]. */
export const gatewaySources = (dir = GATEWAYS): [string, string][] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry): [string, string][] => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return gatewaySources(path);
    if (!entry.name.endsWith('.ts')) return [];
    return [[path.slice(ROOT.length + 1), readFileSync(path, 'utf8')]];
  });

const declarationFile = (pkg: string): string => {
  const dir = join(ROOT, 'node_modules', ...pkg.split('/'));
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { types?: string; typings?: string };
  return join(dir, manifest.types ?? manifest.typings ?? 'index.d.ts');
};

/** The operation groups of an SDK client: its `name: TypeName;` properties whose type the package also exports. */
export const operationGroupsOf = (pkg: string, client: string): Set<string> => {
  const file = declarationFile(pkg);
  let text = readFileSync(file, 'utf8');
  // Some packages re-export the client from another file of the same folder.
  const classRe = new RegExp(`export declare class ${client}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`);
  let body = classRe.exec(text)?.[1];
  if (body === undefined) {
    const dir = join(file, '..');
    const candidate = join(dir, `${client.charAt(0).toLowerCase()}${client.slice(1)}.d.ts`);
    text = readFileSync(candidate, 'utf8');
    body = classRe.exec(text)?.[1];
  }
  if (body === undefined) throw new Error(`no class ${client} in ${pkg}'s declarations`);
  const groups = new Set<string>();
  for (const m of body.matchAll(/^\s+(?:readonly )?([a-z][A-Za-z0-9]*): ([A-Z][A-Za-z0-9]*);$/gm)) {
    const [, name, type] = m;
    if (name !== undefined && type !== undefined && !/^(string|number|boolean)$/i.test(type)) groups.add(name);
  }
  return groups;
};

/** Every SDK call in the gateways, with the operation groups of all ARM clients as the filter. */
export const armCallsInGateways = (): SdkCall[] => {
  const groups = new Set(ARM_SDKS.flatMap(({ pkg, client }) => [...operationGroupsOf(pkg, client)]));
  const calls: SdkCall[] = [];
  for (const [file, source] of gatewaySources()) {
    // Calls are often split after a `)` or the receiver; joining the lines makes `.group.method(` contiguous.
    const flat = source.replace(/\s*\n\s*/g, '');
    // `this.<field>.<method>(` is the gateway's own state (a queue, a logger), never an SDK client.
    for (const m of flat.matchAll(/(?<!\bthis)\.([a-z][A-Za-z0-9]*)\.([a-z][A-Za-z0-9]*)\(/g)) {
      const [, group, method] = m;
      if (group !== undefined && method !== undefined && groups.has(group)) calls.push({ group, method, file });
    }
  }
  return calls;
};
