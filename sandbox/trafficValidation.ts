/**
 * Validates recorded sandbox traffic (startSandbox({ trafficDir }) or SANDBOX_TRAFFIC_DIR) against the official
 * specs with `oav validate-traffic`. oav reports schema errors in its JSON report; exchanges with no operation
 * in the specs are only printed ("Undefined operation"), so those are parsed from its output and allowed only
 * for the routes listed in UNDEFINED_OPERATION_EXCEPTIONS, whose specs are not in the local set.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './repoRoot';

/** Exchanges with no spec in ../shared/azure-specs (see its README). Anything else undefined is an error. */
export const UNDEFINED_OPERATION_EXCEPTIONS: readonly { name: string; pattern: RegExp }[] = [
  {
    name: 'Compute async-operation polls (…/providers/Microsoft.Compute/locations/{loc}/operations/{id})',
    pattern: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Compute\/locations\/[^/]+\/operations\/[^/]+$/i,
  },
  {
    name: 'Storage accounts (the Microsoft.Storage spec is not among ../shared/azure-specs)',
    pattern: /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+$/i,
  },
];

export interface TrafficIssue {
  code: string;
  message: string;
  operationId?: string;
  source?: string;
  url?: string;
}

export interface TrafficValidationResult {
  /** Schema errors and undefined operations outside the exceptions: the traffic is not spec-conformant. */
  errors: TrafficIssue[];
  /** Undefined operations that the exceptions allow. */
  allowedUndefined: TrafficIssue[];
  /** Number of traffic files validated. */
  exchanges: number;
  /** Operation ids oav matched and found valid, e.g. Backups_Trigger. */
  passedOperations: string[];
  exitCode: number | null;
}

/** The shared spec folder: ../shared/azure-specs/specification next to the repository. */
export const defaultSpecFolder = (): string => path.resolve(repoRoot(), '..', 'shared', 'azure-specs', 'specification');

interface OavReport {
  errors?: OavReportError[];
  passedOperationsList?: { operationIds?: string[] }[];
}

interface OavReportError {
  errorCode?: string;
  errorMessage?: string;
  operationId?: string;
  issueSource?: string;
}

export async function validateTraffic(
  trafficDir: string,
  options: { specFolder?: string; reportFile?: string } = {},
): Promise<TrafficValidationResult> {
  const specFolder = options.specFolder ?? defaultSpecFolder();
  if (!fs.existsSync(specFolder)) throw new Error(`Spec folder not found: ${specFolder}`);
  const exchanges = fs.readdirSync(trafficDir).filter((f) => f.endsWith('.json')).length;
  const reportFile = options.reportFile ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-oav-')), 'report.json');
  const oav = path.join(repoRoot(), 'node_modules', '.bin', 'oav');
  const { exitCode, output } = await run(oav, [
    'validate-traffic',
    trafficDir,
    specFolder,
    '-r',
    '',
    '--jsonReport',
    reportFile,
  ]);

  const errors: TrafficIssue[] = [];
  const allowedUndefined: TrafficIssue[] = [];
  let report: OavReport | undefined;
  try {
    report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as OavReport;
  } catch {
    errors.push({
      code: 'NO_REPORT',
      message: `oav wrote no readable report (exit ${exitCode}): ${output.slice(-2000)}`,
    });
  }
  for (const e of report?.errors ?? []) {
    errors.push({
      code: e.errorCode ?? 'UNKNOWN',
      message: e.errorMessage ?? '',
      operationId: e.operationId,
      source: e.issueSource,
    });
  }
  for (const line of output.split('\n')) {
    const at = line.indexOf('Undefined operation ');
    if (at < 0) continue;
    let url = '';
    let pathStr = '';
    try {
      const info = JSON.parse(line.slice(at + 'Undefined operation '.length)) as {
        validationRequest?: { requestUrl?: string; pathStr?: string };
      };
      url = info.validationRequest?.requestUrl ?? '';
      pathStr = info.validationRequest?.pathStr ?? '';
    } catch {
      pathStr = '';
    }
    const issue: TrafficIssue = { code: 'UNDEFINED_OPERATION', message: line.slice(at).slice(0, 500), url };
    if (UNDEFINED_OPERATION_EXCEPTIONS.some((x) => x.pattern.test(pathStr))) allowedUndefined.push(issue);
    else errors.push(issue);
  }
  if (exitCode !== 0 && errors.length === 0) {
    errors.push({ code: 'OAV_FAILED', message: `oav exited ${exitCode}: ${output.slice(-2000)}` });
  }
  const passedOperations = (report?.passedOperationsList ?? []).flatMap((p) => p.operationIds ?? []);
  return { errors, allowedUndefined, exchanges, passedOperations, exitCode };
}

export const formatTrafficIssues = (issues: readonly TrafficIssue[]): string =>
  issues.map((i) => `${i.code} ${i.operationId ?? i.url ?? ''} [${i.source ?? ''}]: ${i.message}`).join('\n');

function run(cmd: string, args: string[]): Promise<{ exitCode: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}
