import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  buildInstallScript,
  posixCksum,
  readVmScript,
  vmScriptPath,
  type VmScriptName,
} from '../../src/shared/vmScripts/vmScripts';

/** A shell function's definition as written in the script (`name() {` to the first `}` at the start of a line). */
const shellFunction = (script: string, name: string): string | undefined =>
  new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?^\\}$`, 'm').exec(script)?.[0];

describe('vmScripts', () => {
  // The extension runs each script file on its own, so each carries its own copy of the path checks that keep a
  // root script from writing through a symlink; this keeps the copies from drifting apart.
  it.each(['safe_dir', 'safe_file'])(
    'the pre-script, the post-script, the thaw and the drill verifier carry the same %s',
    (name) => {
      const pre = shellFunction(readVmScript('iris-pre'), name);
      expect(pre).toBeDefined();
      expect(shellFunction(readVmScript('iris-post'), name)).toBe(pre);
      expect(shellFunction(readVmScript('thaw'), name)).toBe(pre);
      expect(shellFunction(readVmScript('drill-verify'), name)).toBe(pre);
    },
  );

  it.each<[VmScriptName, RegExp]>([
    ['probe', /\/vm\/probe\.sh$/],
    ['iris-pre', /\/vm\/iris-pre\.sh$/],
    ['iris-post', /\/vm\/iris-post\.sh$/],
    ['install', /\/vm\/install\.sh$/],
    ['thaw', /\/vm\/thaw\.sh$/],
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

  it('posixCksum matches the cksum command, and the embedded sums match the embedded files', () => {
    for (const data of [
      Buffer.alloc(0),
      Buffer.from('a'),
      Buffer.from(readVmScript('iris-pre')),
      Buffer.alloc(70000, 7),
    ]) {
      const run = spawnSync('cksum', { input: data, encoding: 'utf8' });
      expect(posixCksum(data)).toBe(run.stdout.trim().split(/\s+/).slice(0, 2).join(' '));
    }
    const sums = /EXPECTED_SUMS='([^']*)'/.exec(buildInstallScript())?.[1] ?? '';
    expect(sums.trim().split('\n')).toEqual([
      `${posixCksum(Buffer.from(readVmScript('iris-pre')))} iris-pre.sh`,
      `${posixCksum(Buffer.from(readVmScript('iris-post')))} iris-post.sh`,
      expect.stringMatching(/^\d+ \d+ VMSnapshotScriptPluginConfig\.json$/),
    ]);
  });

  it('documents every exit code the freeze/thaw scripts define, for operators and developers alike', () => {
    const codes = (name: 'iris-pre' | 'iris-post'): number[] =>
      [...readVmScript(name).matchAll(/\bEX_[A-Z_]+=(\d+)/g)].map((m) => Number(m[1]));
    const defined = [...new Set([...codes('iris-pre'), ...codes('iris-post')])].sort((a, b) => a - b);
    expect(defined).toEqual([0, 69, 70, 71, 72, 73, 74, 75, 76, 77]);
    const guide = fs.readFileSync(path.join(__dirname, '../../docs/vm-setup.md'), 'utf8');
    const reference = fs.readFileSync(path.join(path.dirname(vmScriptPath('probe')), 'README.md'), 'utf8');
    for (const code of defined) {
      expect(guide).toMatch(new RegExp(`^\\| ${code} \\| (?:pre|post|both) \\|`, 'm'));
      if (code !== 0) expect(reference).toMatch(new RegExp(`\\b${code}\\b`));
    }
  });
});
