/** The repository root (the folder with package.json), found from this file whether run from sandbox/ or dist/sandbox/. */
import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

export function repoRoot(): string {
  if (cached !== undefined) return cached;
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'sandbox')))
      return (cached = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the repository root above ${__dirname}`);
    dir = parent;
  }
}
