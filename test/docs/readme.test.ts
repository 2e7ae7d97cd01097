import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../src/cli/main';
import { renderFindingCodesTable } from '../../src/shared/checks/findingCodesTable';
import { renderSettingsTable } from '../../src/shared/config/settingsTable';

const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it('has the settings table exactly as the catalogue renders it', () => {
    expect(readme).toContain(renderSettingsTable());
  });

  it('has the finding codes table exactly as the catalogue renders it', () => {
    expect(readme).toContain(renderFindingCodesTable());
  });

  it('documents every CLI command', () => {
    for (const c of COMMANDS) expect(readme).toContain(`iris-backup-guard ${c.name}`);
  });

  it('opens with the two set-up commands CI also uses', () => {
    expect(readme).toContain('npm install && npm run demo');
    expect(readme).toContain('npm install && npm test');
    expect(fs.readFileSync(path.join(__dirname, '../../.ci/run'), 'utf8')).toContain('npm test');
  });
});
