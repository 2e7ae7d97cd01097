/**
 * The extension's permission rules (vmsnapshot.md §2.2). It reads `oct(st_mode)[-3:]`, so only the last three
 * octal digits count (setuid/setgid/sticky are ignored), and it compares the owner *name* with "root".
 */
export interface PermissionDigits {
  owner: number;
  group: number;
  other: number;
}

/** The last three octal digits of a mode as `stat -c %a` prints it ("600", "4700", "0"); undefined if not octal. */
export function permissionDigits(mode: string | undefined): PermissionDigits | undefined {
  if (mode === undefined || !/^[0-7]{1,6}$/.test(mode)) return undefined;
  const last3 = mode.padStart(3, '0').slice(-3);
  return { owner: Number(last3[0]), group: Number(last3[1]), other: Number(last3[2]) };
}

/** PluginHost.pre_check: group and other digits in {0,4}; the owner digit is not checked. */
export function hostConfModeAccepted(d: PermissionDigits): boolean {
  return (d.group === 0 || d.group === 4) && (d.other === 0 || d.other === 4);
}

/** PluginHost.load_modules: owner digit even (no owner-execute bit), group 0, other 0. */
export function pluginConfigModeAccepted(d: PermissionDigits): boolean {
  return d.owner % 2 === 0 && d.group === 0 && d.other === 0;
}

/** ScriptRunner.validate_permissions: group 0 and other 0; the owner digit is not checked (no exec bit needed). */
export function scriptModeAccepted(d: PermissionDigits): boolean {
  return d.group === 0 && d.other === 0;
}

/** `getpwuid(st_uid).pw_name == 'root'`: the name, not uid 0. */
export function ownerAccepted(owner: string | undefined): boolean {
  return owner === 'root';
}
