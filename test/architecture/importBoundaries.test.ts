/**
 * The import boundaries in eslint.config.mjs, checked against the real config so that deleting or loosening a rule
 * fails here and not only in review. ESLint runs in a child process: its config is an ES module, which Jest's
 * CommonJS runtime cannot load.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
// The package's exports map hides its bin script from require.resolve.
const ESLINT = path.join(ROOT, 'node_modules/eslint/bin/eslint.js');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/** The messages ESLint reports for `code` as if it were the file at `filePath` (relative to the repository). */
const lint = (filePath: string, code: string): LintMessage[] => {
  let output: string;
  try {
    output = execFileSync(process.execPath, [ESLINT, '--format', 'json', '--stdin', '--stdin-filename', filePath], {
      cwd: ROOT,
      input: code,
      encoding: 'utf8',
    });
  } catch (e) {
    // ESLint exits with 1 when it reports an error; the JSON is still on stdout.
    const stdout = (e as { stdout?: unknown }).stdout;
    if (typeof stdout !== 'string' || stdout === '') throw e;
    output = stdout;
  }
  const results = JSON.parse(output) as { messages: LintMessage[] }[];
  return results.flatMap((r) => r.messages);
};

const restricted = (messages: LintMessage[]): string[] =>
  messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);

describe('import boundaries', () => {
  it('the core may not import an adapter', () => {
    const messages = lint(
      'src/shared/runs/boundaryProbe.ts',
      "import { ArmBackupGateway } from '../gateways/armBackupGateway';\nexport const probe = ArmBackupGateway;\n",
    );
    expect(restricted(messages)).toEqual([expect.stringContaining('The core must not import adapters')]);
  });

  it('the core may not import an Azure SDK', () => {
    const messages = lint(
      'src/shared/protection/boundaryProbe.ts',
      "import { DefaultAzureCredential } from '@azure/identity';\nexport const probe = DefaultAzureCredential;\n",
    );
    expect(restricted(messages)).toEqual([expect.stringContaining('Only src/shared/gateways may import an Azure SDK')]);
  });

  it('the core may import its ports and vocabulary', () => {
    const messages = lint(
      'src/shared/runs/boundaryProbe.ts',
      "import { parseVmId } from '../azure/armResourceId';\nexport const probe = parseVmId;\n",
    );
    expect(restricted(messages)).toEqual([]);
  });

  it.each([
    'src/shared/parsers/boundaryProbe.ts',
    'src/shared/runs/boundaryProbe.ts',
    'src/shared/runs/phases/boundaryProbe.ts',
  ])('%s may not import a renderer', (filePath) => {
    const depth = filePath.split('/').length - 3;
    const report = `${'../'.repeat(depth)}report/terminalText`;
    const messages = lint(filePath, `import { terminalLine } from '${report}';\nexport const probe = terminalLine;\n`);
    expect(restricted(messages)).toEqual([expect.stringContaining('Parsers and runs only produce data')]);
  });

  it('parsers and runs keep the other boundaries', () => {
    const messages = lint(
      'src/shared/parsers/boundaryProbe.ts',
      "import { ArmBackupGateway } from '../gateways/armBackupGateway';\nexport const probe = ArmBackupGateway;\n",
    );
    expect(restricted(messages)).toEqual([expect.stringContaining('The core must not import adapters')]);
  });

  it('a renderer may import the data it renders', () => {
    const messages = lint(
      'src/shared/report/boundaryProbe.ts',
      "import { parseByKind } from '../parsers/parsedDocument';\nexport const probe = parseByKind;\n",
    );
    expect(restricted(messages)).toEqual([]);
  });

  it('an adapter may import an Azure SDK', () => {
    const messages = lint(
      'src/shared/gateways/boundaryProbe.ts',
      "import { DefaultAzureCredential } from '@azure/identity';\nexport const probe = DefaultAzureCredential;\n",
    );
    expect(restricted(messages)).toEqual([]);
  });

  it('a command gets its gateways from the composition root', () => {
    const messages = lint(
      'src/cli/commands/boundaryProbe.ts',
      "import { ArmComputeGateway } from '../../shared/gateways/armComputeGateway';\nexport const probe = ArmComputeGateway;\n",
    );
    expect(restricted(messages)).toEqual([expect.stringContaining('Build gateways in src/composition')]);
  });

  it('the composition root may import adapters', () => {
    const messages = lint(
      'src/composition/boundaryProbe.ts',
      "import { createGateways } from '../shared/gateways/createGateways';\nexport const probe = createGateways;\n",
    );
    expect(restricted(messages)).toEqual([]);
  });
});
