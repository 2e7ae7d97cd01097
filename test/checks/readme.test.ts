import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderFindingCodesTable } from '../../src/shared/checks/findingCodesTable';

it('src/shared/checks/README.md lists every finding code as the catalogue has it', () => {
  const readme = fs.readFileSync(path.join(__dirname, '../../src/shared/checks/README.md'), 'utf8');
  expect(readme).toContain(renderFindingCodesTable());
});
