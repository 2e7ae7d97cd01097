/* global require, process, console, Buffer, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain Node script, run before anything is compiled */
/**
 * Plays the Functions host's Node worker for one process: resolves `@azure/functions-core` to the stand-in (so
 * that `@azure/functions` leaves test mode and registers for real), loads the app's entry point, then invokes
 * functions the way the worker does: programming model → invocation model → arguments → handler → response.
 *
 * Usage: node runHost.js <entry.js> '<JSON array of {functionName, invocationId, inputData, triggerMetadata}>'
 * Prints one line `HOST-REPORT <JSON>` with the registrations and each invocation's response, error and logs.
 */
'use strict';
const Module = require('node:module');
const path = require('node:path');

const standInPath = path.join(__dirname, 'functionsCore.js');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === '@azure/functions-core' ? standInPath : resolve.call(this, request, ...rest);
};
const core = require(standInPath).standInState;

const bytesAsText = (_key, value) =>
  value instanceof Uint8Array || (value && value.type === 'Buffer' && Array.isArray(value.data))
    ? { text: Buffer.from(value instanceof Uint8Array ? value : value.data).toString('utf8') }
    : value;

async function invoke(request) {
  const registered = core.functions.find((f) => f.metadata.name === request.functionName);
  if (!registered) return { functionName: request.functionName, error: 'not registered' };
  const logs = [];
  const trigger = Object.entries(registered.metadata.bindings).find(([, b]) => /Trigger$/.test(b.type));
  const coreCtx = {
    invocationId: request.invocationId,
    metadata: registered.metadata,
    state: 'invocation',
    request: {
      invocationId: request.invocationId,
      functionId: request.functionName,
      inputData: request.inputData.map((d) => ({ name: trigger[0], ...d })),
      triggerMetadata: request.triggerMetadata ?? {},
    },
    log: (level, category, message) => logs.push([level, category, message]),
  };
  const model = core.programmingModel.getInvocationModel(coreCtx);
  try {
    const { context, inputs } = await model.getArguments();
    const result = await model.invokeFunction(context, inputs, registered.handler);
    const response = await model.getResponse(context, result);
    return { functionName: request.functionName, response, logs };
  } catch (e) {
    return { functionName: request.functionName, error: e instanceof Error ? e.message : String(e), logs };
  }
}

async function main() {
  const [entry, requests] = process.argv.slice(2);
  require(path.resolve(entry));
  const invocations = [];
  for (const request of JSON.parse(requests ?? '[]')) invocations.push(await invoke(request));
  const report = {
    programmingModel: core.programmingModel && {
      name: core.programmingModel.name,
      version: core.programmingModel.version,
    },
    registrations: core.functions.map((f) => f.metadata),
    handlersAreFunctions: core.functions.every((f) => typeof f.handler === 'function'),
    invocations,
  };
  console.log(`HOST-REPORT ${JSON.stringify(report, bytesAsText)}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.stack : String(e));
    process.exit(1);
  },
);
