import { FINDING_CODES, type FindingCodeInfo } from './findingCodes';
import { IMPACT_WORDS } from './summarizeNextBackup';

/** The Markdown table of every finding code, for the READMEs (a test keeps them identical to the catalogue). */
export function renderFindingCodesTable(): string {
  const rows = Object.entries(FINDING_CODES as Record<string, FindingCodeInfo>).map(
    ([code, info]) =>
      `| \`${code}\` | ${info.extensionStatusCode ?? '–'} | ${info.severity} | ${IMPACT_WORDS[info.impact]} | ${info.description} |`,
  );
  return [
    '| Code | Extension code | Default severity | Usual impact on the next backup | Meaning |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
