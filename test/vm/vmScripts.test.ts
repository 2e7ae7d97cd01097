import * as fs from 'node:fs';
import {
  buildInstallScript,
  readVmScript,
  vmScriptPath,
  type VmScriptName,
} from '../../src/shared/vmScripts/vmScripts';

describe('vmScripts', () => {
  it.each<[VmScriptName, RegExp]>([
    ['probe', /\/vm\/probe\.sh$/],
    ['iris-pre', /\/vm\/iris-pre\.sh$/],
    ['iris-post', /\/vm\/iris-post\.sh$/],
    ['install', /\/vm\/install\.sh$/],
    ['config', /\/vm\/VMSnapshotScriptPluginConfig\.json$/],
  ])('%s resolves to an existing file', (name, pattern) => {
    expect(vmScriptPath(name)).toMatch(pattern);
    expect(fs.existsSync(vmScriptPath(name))).toBe(true);
  });

  it('marks the freeze/thaw scripts and keeps the config consistent with the freeze bound', () => {
    expect(readVmScript('iris-pre')).toMatch(/^# iris-backup-guard: pre v1$/m);
    expect(readVmScript('iris-post')).toMatch(/^# iris-backup-guard: post v1$/m);
    const config = JSON.parse(readVmScript('config')) as Record<string, unknown>;
    const attempt = Number(/^readonly FREEZE_ATTEMPT_TIMEOUT=(\d+)$/m.exec(readVmScript('iris-pre'))?.[1]);
    expect(config).toMatchObject({
      preScriptLocation: '/etc/azure/iris-pre.sh',
      postScriptLocation: '/etc/azure/iris-post.sh',
      preScriptParams: [],
      postScriptParams: [],
      continueBackupOnFailure: true,
      fsFreezeEnabled: true,
      ScriptsExecutionPollTimeSeconds: 1,
    });
    expect(attempt).toBeGreaterThan(0);
    expect(Number(config.timeoutInSeconds)).toBeGreaterThanOrEqual(4 * attempt);
    expect(Number(config.timeoutInSeconds)).toBeLessThanOrEqual(1800);
  });

  it('embeds the scripts and config in the install script', () => {
    const script = buildInstallScript();
    expect(script).not.toContain('@@IBG_EMBEDDED_PAYLOAD@@');
    expect(script).toContain(readVmScript('iris-pre'));
    expect(script).toContain(readVmScript('iris-post'));
    expect(script).toContain(readVmScript('config'));
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
  });
});
