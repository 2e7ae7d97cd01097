import { isMirrorPrimary, parseQlist, type IrisInstance } from '../parsers/qlist';
import { displayValue } from './displayValue';
import type { Finding } from './finding';
import { makeFinding } from './findingCodes';
import type { ProbeIrisFacts, ProbeScriptFacts } from './probeFacts';
import { preScriptFailureImpact } from './scriptFailureImpact';
import type { LoadedPluginConfig } from './pluginConfigSemantics';
import { shellWord } from './shellWord';

/** IsWDSuspendedExt() exit statuses (iris.md §1.2). */
export const WD_SUSPENDED = 5;
export const WD_RUNNING = 3;

export interface IrisRuleInput {
  iris: ProbeIrisFacts;
  pre?: ProbeScriptFacts;
  config?: LoadedPluginConfig;
  /** Name of the mirror's backup failover member when known from inventory (another VM). */
  mirrorBackupMember?: string;
}

/** The instance a freeze call names (`iris session X`, `csession X`, `iris freeze X`); undefined for `$VAR` forms. */
export function instanceInFreezeCall(call: string): string | undefined {
  const m =
    /\b(?:iris|ccontrol)\s+(?:session|freeze)\s+("?)([^\s"';|&]+)\1/.exec(call) ??
    /\b(?:irissession|csession)\s+("?)([^\s"';|&]+)\1/.exec(call);
  const name = m?.[2];
  if (name === undefined || name.startsWith('$') || name.startsWith('-')) return undefined;
  return name;
}

/** The IRIS state right now and what it means for the next freeze (iris.md §1.3, §1.4, §4). */
export function irisFindings(input: IrisRuleInput): Finding[] {
  const { iris } = input;
  if (!iris.present) {
    return [
      makeFinding('IrisNotFound', {
        message: 'Neither `iris` nor `ccontrol` was found on PATH or in the usual install directories.',
        fix: "Install IRIS, or put its bin directory on root's PATH (e.g. sudo ln -s /usr/irissys/bin/iris /usr/bin/iris).",
      }),
    ];
  }
  const cli = iris.command === 'ccontrol' ? 'ccontrol' : 'iris';
  const session = cli === 'ccontrol' ? 'csession' : 'iris session';
  // qlist absent means the probe dropped it to fit its budget, which says nothing about the instances.
  const instances = iris.qlist === undefined ? [] : parseQlist(iris.qlist).value;
  const findings: Finding[] = [];
  if (iris.qlist !== undefined && instances.length === 0) {
    findings.push(
      makeFinding('IrisNoInstances', {
        message: `\`${cli} qlist\` lists no instance${iris.qlist ? ` (it printed ${displayValue(iris.qlist)})` : ''}.`,
        fix: `sudo ${cli} qlist`,
      }),
    );
  }

  for (const inst of instances) {
    const name = shellWord(inst.name);
    if (inst.status !== 'running') {
      findings.push(
        makeFinding('IrisInstanceDown', {
          message: `IRIS instance ${inst.name} is ${displayValue(inst.statusText)}: a freeze cannot succeed, so the pre-script will report a failure (code 300).`,
          fix: `sudo ${cli} start ${name}`,
          subject: inst.name,
        }),
      );
    }
    if (isMirrorPrimary(inst) && /failover/i.test(inst.mirrorMemberType ?? '')) {
      const backup =
        instances.find((i) => i !== inst && i.mirrorStatus?.trim().toLowerCase() === 'backup')?.name ??
        input.mirrorBackupMember;
      findings.push(
        makeFinding('IrisMirrorPrimary', {
          message: `IRIS instance ${inst.name} is the primary failover member of a mirror: a freeze longer than the mirror's QoS timeout can make it fail over during the backup${backup ? `; back up the backup failover member ${backup} instead` : '; back up the backup failover member instead'}.`,
          fix: backup
            ? `Protect the VM of ${backup} (the backup failover member) instead of this one.`
            : 'Protect the VM of the backup failover member instead of this one.',
          subject: inst.name,
        }),
      );
    }
  }

  for (const wd of iris.wd ?? []) {
    const inst = instances.find((i) => i.name.toLowerCase() === wd.instance.toLowerCase());
    const name = shellWord(wd.instance);
    if (wd.rc === WD_SUSPENDED) {
      findings.push(
        makeFinding('IrisAlreadyFrozen', {
          message: `IRIS instance ${wd.instance} is frozen right now (IsWDSuspendedExt exited ${wd.rc}): writes are suspended and logins may hang. Thaw it now.`,
          fix: `sudo ${session} ${name} -U%SYS '##Class(Backup.General).ExternalThaw()'`,
          subject: wd.instance,
        }),
      );
    } else if (wd.rc !== WD_RUNNING && inst?.status !== 'down') {
      findings.push(
        makeFinding('IrisFrozenStateUnknown', {
          message:
            wd.rc === 124
              ? `IsWDSuspendedExt on ${wd.instance} did not answer in time (rc 124): the instance may be frozen or hung.`
              : `IsWDSuspendedExt on ${wd.instance} exited ${wd.rc}, neither 5 (frozen) nor 3 (running).`,
          fix: `sudo ${session} ${name} -U%SYS '##Class(Backup.General).IsWDSuspendedExt()'; echo $?`,
          subject: wd.instance,
        }),
      );
    }
  }

  findings.push(...wrongInstanceFindings(input, instances));
  return findings;
}

function wrongInstanceFindings(input: IrisRuleInput, instances: IrisInstance[]): Finding[] {
  const call = input.pre?.freezeCall;
  if (!call || !input.pre?.isFile || instances.length === 0) return [];
  const named = instanceInFreezeCall(call);
  if (named === undefined) return [];
  const placeholder = named.includes('<');
  if (!placeholder && instances.some((i) => i.name.toLowerCase() === named.toLowerCase())) return [];
  const known = instances.map((i) => i.name).join(', ');
  return [
    makeFinding('PreScriptWrongInstance', {
      message: placeholder
        ? `The pre-script ${input.pre.path} still has the placeholder ${displayValue(named)} in ${displayValue(call)}; the freeze cannot run (code 300). Instances here: ${known}.`
        : `The pre-script ${input.pre.path} freezes instance ${displayValue(named)}, which \`qlist\` does not list (instances here: ${known}); the freeze fails (code 300).`,
      fix: `sudo sed -i 's/${escapeSed(named)}/${escapeSed(instances[0]?.name ?? '')}/' ${shellWord(input.pre.path)}`,
      subject: input.pre.path,
      ...preScriptFailureImpact(input.config),
    }),
  ];
}

/** Keeps only characters that are literal in a sed regex and replacement and inert inside single quotes. */
function escapeSed(text: string): string {
  return text.replace(/[^A-Za-z0-9_<> -]/g, '');
}
