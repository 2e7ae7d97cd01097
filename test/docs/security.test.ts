/**
 * SECURITY.md cannot rot: every repository path it names exists, every mitigation in its threats table names a test
 * that exists, and the README sends readers to it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '../..');
const security = fs.readFileSync(path.join(ROOT, 'SECURITY.md'), 'utf8');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

// Code spans that name something in this repository (not VM paths like /etc/azure, nor API routes).
const REPO_PREFIXES = ['src/', 'test/', 'vm/', 'infra/', 'sandbox/', 'scripts/', '.ci/'];
const ROOT_FILES = ['package.json', 'package-lock.json', 'eslint.config.mjs', 'README.md', 'SECURITY.md', 'host.json'];

const codeSpans = (text: string): string[] => [...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1] ?? '');
const isRepoPath = (span: string): boolean =>
  REPO_PREFIXES.some((p) => span.startsWith(p)) || ROOT_FILES.includes(span);
const repoPaths = (text: string): string[] => [...new Set(codeSpans(text).filter(isRepoPath))];

describe('SECURITY.md', () => {
  it('names repository paths (the check below has something to check)', () => {
    expect(repoPaths(security).length).toBeGreaterThan(30);
  });

  it.each(repoPaths(security))('%s exists', (p) => {
    expect(fs.existsSync(path.join(ROOT, p))).toBe(true);
  });

  it('every row of the threats table names the code and at least one test file', () => {
    const table = security.split('## Threats and mitigations')[1]?.split('\n## ')[0] ?? '';
    const rows = table
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Threat') && !l.startsWith('|---'));
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      const cells = row.split(' | ');
      const tests = repoPaths(cells[cells.length - 1] ?? '');
      expect({ row: cells[0], tests: tests.filter((t) => /\.test\.ts$/.test(t)).length > 0 }).toEqual({
        row: cells[0],
        tests: true,
      });
      expect({ row: cells[0], code: repoPaths(cells[cells.length - 2] ?? '').length > 0 }).toEqual({
        row: cells[0],
        code: true,
      });
    }
  });

  it('tells reporters to use a private advisory, not a public issue', () => {
    expect(security).toMatch(/private vulnerability reporting/);
    expect(security).toMatch(/Do not open a public issue/);
  });

  it('is linked from the README', () => {
    expect(readme).toMatch(/\]\((\.\/)?SECURITY\.md\)/);
  });
});
