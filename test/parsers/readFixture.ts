import * as fs from 'node:fs';
import * as path from 'node:path';

/** Text of a file in test/fixtures/logs/. */
export function readFixture(name: string): string {
  return fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'logs', name), 'utf8');
}
