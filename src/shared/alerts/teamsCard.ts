/**
 * The message a Teams Workflows webhook ("When a Teams webhook request is received") posts: a message with one
 * Adaptive Card attachment (version 1.4). TextBlock text is a CommonMark subset (bold, italic, lists, links), so
 * every piece of alert text is escaped with CommonMark backslash escapes; `{{` would start a DATE()/TIME() function
 * and is escaped too. Pure.
 */
import type { AlertRecord } from './alertRecord';
import { contentFacts, notificationContent } from './notificationContent';

// ASCII punctuation that CommonMark (or the card's {{DATE()}} functions) could read as markup.
const MARKDOWN_SPECIAL = /[\\`*_[\]()<>{}#|!~&]/g;

/** Text shown literally in a TextBlock or a Fact. */
export const escapeCardMarkdown = (text: string): string =>
  text
    .replace(MARKDOWN_SPECIAL, (c) => `\\${c}`)
    .split('\n')
    // A line that starts like a list item or a heading would become one.
    .map((l) => l.replace(/^(\s*)([-+=])/, '$1\\$2').replace(/^(\s*\d{1,9})([.)])/, '$1\\$2'))
    .join('\n');

interface TextBlock {
  type: 'TextBlock';
  text: string;
  wrap: true;
  [key: string]: unknown;
}

const block = (text: string, extra: Record<string, unknown> = {}): TextBlock => ({
  type: 'TextBlock',
  text: escapeCardMarkdown(text),
  wrap: true,
  ...extra,
});

const COLOR: Record<string, string> = {
  critical: 'Attention',
  error: 'Attention',
  warning: 'Warning',
  info: 'Default',
};

export function teamsCard(record: AlertRecord): Record<string, unknown> {
  const c = notificationContent(record);
  const body: Record<string, unknown>[] = [
    block(c.title, { size: 'Large', weight: 'Bolder', color: c.kind === 'recovery' ? 'Good' : COLOR[c.severity] }),
    block(c.message),
    {
      type: 'FactSet',
      facts: contentFacts(c).map(([title, value]) => ({
        title: escapeCardMarkdown(title),
        value: escapeCardMarkdown(value),
      })),
    },
  ];
  if (c.evidence.length > 0) {
    body.push(block('Evidence', { weight: 'Bolder', separator: true }));
    // One line per block: a card has no code block, and this keeps each line's escaping local.
    for (const e of c.evidence) body.push(block(e, { fontType: 'Monospace', spacing: 'None' }));
    if (c.evidenceOmitted > 0) body.push(block(`(${c.evidenceOmitted} more lines not shown)`, { isSubtle: true }));
  }
  if (c.fix !== undefined) {
    body.push(block('Fix', { weight: 'Bolder', separator: true }), block(c.fix, { fontType: 'Monospace' }));
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
        },
      },
    ],
  };
}
