/**
 * Runs an entry point under the stand-in worker (runHost.js) in a child process and reads back what the host would
 * have received: each function's metadata and the responses of host-shaped invocations.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

export interface CoreBinding {
  type: string;
  direction: 'in' | 'out';
  name: string;
  schedule?: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
}

export interface CoreFunctionMetadata {
  name: string;
  bindings: Record<string, CoreBinding>;
}

/** An invocation as the worker receives it: the trigger's data in RPC form (the binding name is filled in). */
export interface HostInvocation {
  functionName: string;
  invocationId: string;
  inputData: { data: Record<string, unknown> }[];
}

export interface HostInvocationResult {
  functionName: string;
  response?: {
    invocationId: string;
    returnValue?: {
      http?: { statusCode: string; headers: Record<string, string>; body?: { bytes?: { text: string } } };
    };
  };
  error?: string;
  logs: [level: string, category: string, message: string][];
}

export interface HostReport {
  programmingModel?: { name: string; version: string };
  registrations: CoreFunctionMetadata[];
  handlersAreFunctions: boolean;
  invocations: HostInvocationResult[];
}

const RUNNER = path.join(__dirname, 'runHost.js');

/** Loads `entry` with exactly `env` (plus PATH) and performs `invocations`; rejects if the worker process fails. */
export function runHost(
  entry: string,
  env: Record<string, string | undefined>,
  invocations: HostInvocation[] = [],
): Promise<HostReport> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [RUNNER, entry, JSON.stringify(invocations)],
      { env: { PATH: process.env['PATH'], ...env }, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('HOST-REPORT '));
        if (error || line === undefined) {
          reject(new Error(`the stand-in worker failed: ${error?.message ?? 'no report'}\n${stderr}`));
          return;
        }
        resolve(JSON.parse(line.slice('HOST-REPORT '.length)) as HostReport);
      },
    );
  });
}

/** The trigger binding of a registration (the host finds it the same way: the one binding of a trigger type). */
export const triggerOf = (f: CoreFunctionMetadata): CoreBinding | undefined =>
  Object.values(f.bindings).find((b) => b.direction === 'in' && b.type.endsWith('Trigger'));
