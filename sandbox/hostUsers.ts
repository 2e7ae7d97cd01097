/** User and group names of this machine (/etc/passwd, /etc/group): VM files are chowned by name, and the extension checks owners by name. */
import * as fs from 'node:fs';

interface NameTable {
  byName: Map<string, number>;
  byId: Map<number, string>;
}

const readTable = (file: string): NameTable => {
  const table: NameTable = { byName: new Map(), byId: new Map() };
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    // No table: only numeric ids and root work.
  }
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    const n = Number(id);
    if (name && Number.isInteger(n)) {
      table.byName.set(name, n);
      if (!table.byId.has(n)) table.byId.set(n, name);
    }
  }
  if (!table.byName.has('root')) table.byName.set('root', 0);
  if (!table.byId.has(0)) table.byId.set(0, 'root');
  return table;
};

let users: NameTable | undefined;
let groups: NameTable | undefined;

const resolve = (table: NameTable, name: string, kind: string): number => {
  const id = table.byName.get(name) ?? (/^\d+$/.test(name) ? Number(name) : undefined);
  if (id === undefined) throw new Error(`Unknown ${kind} '${name}' on this machine`);
  return id;
};

export const uidOf = (name: string): number => resolve((users ??= readTable('/etc/passwd')), name, 'user');
export const gidOf = (name: string): number => resolve((groups ??= readTable('/etc/group')), name, 'group');
/** `getpwuid(uid).pw_name`, or the number when the uid has no name. */
export const userNameOf = (uid: number): string => (users ??= readTable('/etc/passwd')).byId.get(uid) ?? String(uid);
