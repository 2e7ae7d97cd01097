/* global module */
/**
 * A stand-in for `@azure/functions-core`, the module the Functions host's Node worker provides to the app. It does
 * what the worker does with the calls `@azure/functions` makes: keeps the programming model and every function's
 * metadata and handler (the worker would send the metadata to the host), and takes the worker's system log.
 */
'use strict';

const state = { programmingModel: undefined, functions: [], hooks: [], systemLog: [] };

module.exports = {
  version: '3.10.1',
  setProgrammingModel(model) {
    state.programmingModel = model;
  },
  getProgrammingModel() {
    return state.programmingModel;
  },
  registerFunction(metadata, handler) {
    if (state.functions.some((f) => f.metadata.name === metadata.name)) {
      throw new Error(`A function can only be registered once: "${metadata.name}"`);
    }
    state.functions.push({ metadata, handler });
    return { dispose() {} };
  },
  registerHook(hookName, callback) {
    state.hooks.push({ hookName, callback });
    return { dispose() {} };
  },
  log(level, category, message) {
    state.systemLog.push([level, category, message]);
  },
  // Not part of the worker's API: what the runner reads back.
  standInState: state,
};
