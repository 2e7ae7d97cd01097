/** The CLI's version: the package's own, read from its package.json (found from here both in src/ and in dist/). */
import * as fs from 'node:fs';
import * as path from 'node:path';

const PACKAGE_NAME = 'iris-backup-guard';

export function cliVersion(start: string = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
