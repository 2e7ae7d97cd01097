import type { Finding } from './finding';
import { makeFinding } from './findingCodes';
import type { ProbeScriptFacts } from './probeFacts';

/**
 * The pre-script must freeze IRIS and the post-script must thaw it (iris.md §1, §8). Only judged when the probe
 * scanned the scripts (freezeCalls/thawCalls present) and IRIS is on the VM.
 */
export function freezeThawPairFindings(
  pre: ProbeScriptFacts | undefined,
  post: ProbeScriptFacts | undefined,
  irisPresent: boolean,
  installFix: string,
): Finding[] {
  const findings: Finding[] = [];
  if (irisPresent && pre?.isFile && pre.freezeCalls === 0) {
    findings.push(
      makeFinding('PreScriptDoesNotFreezeIris', {
        message: `The pre-script ${pre.path} never calls Backup.General.ExternalFreeze, so IRIS is not quiesced: the snapshot is at best file-system-consistent for IRIS.`,
        fix: installFix,
        subject: pre.path,
      }),
    );
  }
  if (pre?.isFile && (pre.freezeCalls ?? 0) > 0 && post?.isFile && post.thawCalls === 0) {
    findings.push(
      makeFinding('PostScriptMissingThaw', {
        message: `The pre-script ${pre.path} freezes IRIS but the post-script ${post.path} never calls Backup.General.ExternalThaw: IRIS stays frozen after every backup.`,
        fix: installFix,
        subject: post.path,
      }),
    );
  }
  return findings;
}
