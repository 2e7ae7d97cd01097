/**
 * The correct setup: the hardened IRIS scripts and config from vm/, installed where the config says, with the
 * modes and owner the extension requires. Shared by the sample scenario's generator and tests.
 */
import type { VmFileSpec } from './scenario';

export const HARDENED_PRE_SCRIPT = '/etc/azure/iris-pre.sh';
export const HARDENED_POST_SCRIPT = '/etc/azure/iris-post.sh';
export const PLUGIN_CONFIG_PATH = '/etc/azure/VMSnapshotScriptPluginConfig.json';

export function hardenedSetupFiles(): VmFileSpec[] {
  return [
    { path: PLUGIN_CONFIG_PATH, source: 'vm/VMSnapshotScriptPluginConfig.json', owner: 'root', mode: '600' },
    { path: HARDENED_PRE_SCRIPT, source: 'vm/iris-pre.sh', owner: 'root', mode: '700' },
    { path: HARDENED_POST_SCRIPT, source: 'vm/iris-post.sh', owner: 'root', mode: '700' },
  ];
}

/** The hardened setup with a post-script that fails without thawing (a broken deployment): IRIS is left frozen. */
export function neverThawingSetupFiles(): VmFileSpec[] {
  return hardenedSetupFiles().map((f) =>
    f.path === HARDENED_POST_SCRIPT
      ? { path: f.path, content: '#!/bin/sh\necho "thaw skipped" >&2\nexit 3\n', owner: 'root', mode: '700' }
      : f,
  );
}
