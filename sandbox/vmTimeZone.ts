/**
 * A simulated VM's time zone, kept where a real VM keeps it: the /etc/localtime link in its root (e.g. to
 * /usr/share/zoneinfo/Asia/Tokyo). Its processes get the zone as TZ, because on this host they would otherwise read
 * the host's own /etc/localtime; a VM without the link runs in UTC, like Azure's Linux images.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const VM_DEFAULT_TIME_ZONE = 'UTC';

const ZONEINFO = '/zoneinfo/';
const ZONE_NAME = /^[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_+-]+)*$/;

/** The IANA name the root's /etc/localtime link points to (as a VM path or as a host path into the root). */
export function vmTimeZone(root: string): string {
  let target: string;
  try {
    target = fs.readlinkSync(path.join(root, 'etc', 'localtime'));
  } catch {
    return VM_DEFAULT_TIME_ZONE;
  }
  const at = target.lastIndexOf(ZONEINFO);
  const name = at === -1 ? '' : target.slice(at + ZONEINFO.length);
  return ZONE_NAME.test(name) ? name : VM_DEFAULT_TIME_ZONE;
}

export function vmTimeZoneEnv(root: string): Record<string, string> {
  return { TZ: vmTimeZone(root) };
}
