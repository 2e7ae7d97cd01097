/**
 * What vm/thaw.sh reported: one `IBG_THAW_V1 instance=… before=… action=… after=…` line per instance and a final
 * `IBG_THAW_V1 result=… instances=…` line. The output is the VM's, untrusted: capped, read line by line with fixed
 * keys and values, and anything else is a problem, never a guess. A report without its final line was cut (the
 * script was killed or its output lost): `result` is then absent.
 */
import type { RunScriptResult } from '../azure/vmCommandGateway';
import { INSTANCE_NAME, type InstanceFreeze } from './frozenCheck';

export type ThawAction = 'none' | 'thawed' | 'resumed-stat-w' | 'failed';
export type ThawResult = 'thawed' | 'nothing-frozen' | 'failed';

export interface ThawReport {
  instances: { name: string; before: InstanceFreeze; action: ThawAction; after: InstanceFreeze }[];
  result?: ThawResult;
  problems: string[];
}

export const THAW_MARKER = 'IBG_THAW_V1';
/** Run Command keeps the last 4 KiB of stdout; more than this is not the script's. */
const MAX_OUTPUT_CHARS = 16 * 1024;
const MAX_LINE_CHARS = 300;
const MAX_INSTANCES = 16;
const MAX_PROBLEMS = 20;

const FREEZE: readonly InstanceFreeze[] = ['frozen', 'running', 'down', 'unknown'];
const ACTIONS: readonly ThawAction[] = ['none', 'thawed', 'resumed-stat-w', 'failed'];
const RESULTS: readonly ThawResult[] = ['thawed', 'nothing-frozen', 'failed'];
/** Why the script stopped early, as it prints it, and what to tell people. */
const REASONS: Readonly<Record<string, string>> = {
  'pre-script-running': 'The thaw was refused: a pre-script is freezing IRIS right now (a backup is running)',
  'qlist-failed': 'The thaw could not list the IRIS instances (qlist failed)',
  'no-iris-command': 'No iris or ccontrol command was found on the VM',
  'unexpected-exit': 'The thaw script ended unexpectedly',
};

const oneOf = <T extends string>(values: readonly T[], v: string | undefined): T | undefined =>
  values.find((x) => x === v);

/** `key=value` words of one line; a word without `=` or a repeated key makes the line unreadable. */
function fieldsOf(line: string): Map<string, string> | undefined {
  const fields = new Map<string, string>();
  for (const word of line.split(' ')) {
    const eq = word.indexOf('=');
    if (eq <= 0 || fields.has(word.slice(0, eq))) return undefined;
    fields.set(word.slice(0, eq), word.slice(eq + 1));
  }
  return fields;
}

function count(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,4}$/.test(text) ? Number(text) : undefined;
}

/** Reads the thaw's Run Command result. Never throws. */
export function thawReportOf(result: RunScriptResult): ThawReport {
  const problems: string[] = [];
  const report: ThawReport = { instances: [], problems };
  const done = (): ThawReport => {
    const kept = problems.slice(0, MAX_PROBLEMS);
    if (problems.length > MAX_PROBLEMS) kept.push(`${problems.length - MAX_PROBLEMS} more problems`);
    return { ...report, problems: kept };
  };
  try {
    let output = typeof result.output === 'string' ? result.output : '';
    if (output.length > MAX_OUTPUT_CHARS) {
      output = output.slice(-MAX_OUTPUT_CHARS);
      problems.push(`The output was longer than ${MAX_OUTPUT_CHARS} characters; only its end was read`);
    }
    const prefix = `${THAW_MARKER} `;
    let unreadable = 0;
    let summary: Map<string, string> | undefined;
    const seen = new Set<string>();
    for (const raw of output.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (!line.startsWith(prefix)) continue;
      const fields = line.length <= MAX_LINE_CHARS ? fieldsOf(line.slice(prefix.length)) : undefined;
      if (fields === undefined) {
        unreadable += 1;
        continue;
      }
      if (fields.has('result')) {
        summary = fields;
        continue;
      }
      const name = fields.get('instance');
      const before = oneOf(FREEZE, fields.get('before'));
      const action = oneOf(ACTIONS, fields.get('action'));
      const after = oneOf(FREEZE, fields.get('after'));
      if (name === undefined || !INSTANCE_NAME.test(name) || !before || !action || !after) {
        unreadable += 1;
        continue;
      }
      if (seen.has(name)) {
        problems.push(`${name} is reported twice; the first report is kept`);
        continue;
      }
      if (report.instances.length >= MAX_INSTANCES) {
        problems.push(`More than ${MAX_INSTANCES} instances reported; the rest were not read`);
        break;
      }
      seen.add(name);
      report.instances.push({ name, before, action, after });
    }
    if (unreadable > 0) problems.push(`${unreadable} ${THAW_MARKER} line(s) could not be read`);
    if (summary === undefined) {
      problems.push(
        output.trim() === ''
          ? 'The thaw printed nothing'
          : 'The thaw report has no final result line (the script was cut off or its output lost)',
      );
    } else {
      const res = oneOf(RESULTS, summary.get('result'));
      if (res === undefined) problems.push('The thaw result is not one the script prints');
      else report.result = res;
      const n = count(summary.get('instances'));
      if (n === undefined) problems.push('The thaw result line has no instance count');
      else if (n !== report.instances.length) {
        problems.push(`The thaw reported ${n} instance(s) but ${report.instances.length} were read`);
      }
      const skipped = count(summary.get('skipped'));
      if (skipped !== undefined && skipped > 0) {
        problems.push(`${skipped} qlist instance name(s) with unexpected characters were not touched`);
      }
      const reason = summary.get('reason');
      if (reason !== undefined) {
        problems.push(
          Object.hasOwn(REASONS, reason) ? (REASONS[reason] ?? '') : 'The thaw stopped for a reason it does not name',
        );
      }
      if (summary.get('log') === 'unusable') problems.push("The VM's freeze-thaw.log could not be written");
    }
    // The script's own verdict must agree with its instances: a thawed result with an instance left frozen is not read
    // as a success.
    const left = report.instances.filter((i) => i.after === 'frozen' || i.after === 'unknown').map((i) => i.name);
    if (report.result !== undefined && report.result !== 'failed' && left.length > 0) {
      problems.push(`The thaw says ${report.result} but ${left.join(', ')} is not confirmed running; read as failed`);
      report.result = 'failed';
    }
    if (result.executionState !== 'Succeeded') {
      const exit = result.exitCode === undefined ? '' : ` (exit ${String(result.exitCode)})`;
      problems.push(`Run Command ended ${String(result.executionState).slice(0, 40)}${exit}`);
      // Exit 0 only when nothing is left frozen: a failed run never counts as a thaw that succeeded.
      if (report.result !== undefined && report.result !== 'failed') report.result = 'failed';
    }
    return done();
  } catch (e) {
    problems.push(`The thaw output could not be read: ${e instanceof Error ? e.message : String(e)}`);
    return done();
  }
}
