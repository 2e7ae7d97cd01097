import type { Finding } from './finding';
import { makeFinding } from './findingCodes';
import type { ProbeTextFileFacts } from './probeFacts';
import { parsePythonIni } from './pythonConfigParser';
import { shellWord } from './shellWord';

/** The workloads for which the extension runs its own flow and ignores the script config (vmsnapshot.md §3.5). */
export const SUPPORTED_WORKLOADS = ['oracle', 'mysql', 'mariadb', 'postgres'] as const;

/** `[workload] workload_name` of /etc/azure/workload.conf when it names a supported workload. */
export function overridingWorkload(workloadConf: ProbeTextFileFacts): string | undefined {
  if (!workloadConf.exists || workloadConf.text === undefined) return undefined;
  const doc = parsePythonIni(workloadConf.text);
  const name = doc.sections.get('workload')?.get('workload_name')?.trim();
  if (name === undefined) return undefined;
  return SUPPORTED_WORKLOADS.find((w) => w === name.toLowerCase());
}

export function workloadFindings(workloadConf: ProbeTextFileFacts): Finding[] {
  const workload = overridingWorkload(workloadConf);
  if (workload === undefined) return [];
  const path = workloadConf.path || '/etc/azure/workload.conf';
  return [
    makeFinding('WorkloadConfOverridesScripts', {
      message: `${path} sets workload_name = ${workload}: the extension runs its ${workload} flow and ignores VMSnapshotScriptPluginConfig.json, so the IRIS scripts never run.`,
      fix: `sudo sed -i 's/^\\([[:space:]]*workload_name[[:space:]]*[=:]\\).*/\\1/' ${shellWord(path)}`,
      subject: path,
    }),
  ];
}
