/**
 * A Slack incoming webhook message: `text` (the notification's fallback) and Block Kit blocks (header, mrkdwn
 * sections, context). Slack reads `&`, `<` and `>` as control characters (`<!channel>` pings a whole channel,
 * `<url|text>` makes a link), so they are escaped as &amp; &lt; &gt;, as Slack asks; `verbatim` stops Slack from
 * turning bare URLs and #channel names into links. Evidence and the fix go in code blocks, where nothing is
 * formatted. Section text is capped at Slack's 3000 characters. Pure.
 */
import type { AlertRecord } from './alertRecord';
import { cap, contentFacts, notificationContent } from './notificationContent';

/** Slack's limits: a section's text 3000 characters, a header's plain text 150. */
export const SLACK_SECTION_CHARS = 3000;
export const SLACK_HEADER_CHARS = 150;

export const escapeSlack = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Inside a code span or block nothing is formatted, but a backtick would close it.
const code = (text: string): string => escapeSlack(text.replace(/`/g, "'"));

// Emphasis characters (* _ ~) may still format prose; that changes no meaning and pings no one, and changing
// them would make paths and commands wrong when copied.
const plain = escapeSlack;

const section = (text: string): Record<string, unknown> => ({
  type: 'section',
  text: { type: 'mrkdwn', text: cap(text, SLACK_SECTION_CHARS), verbatim: true },
});

export function slackBlocks(record: AlertRecord): Record<string, unknown> {
  const c = notificationContent(record);
  const blocks: Record<string, unknown>[] = [
    // A header is plain_text: Slack shows it as it is, so only its length matters.
    { type: 'header', text: { type: 'plain_text', text: cap(c.title, SLACK_HEADER_CHARS), emoji: false } },
    section(plain(c.message)),
    section(
      contentFacts(c)
        .map(([label, value]) => `*${label}:* ${plain(value)}`)
        .join('\n'),
    ),
  ];
  if (c.evidence.length > 0) {
    const more = c.evidenceOmitted > 0 ? `\n(${c.evidenceOmitted} more lines not shown)` : '';
    blocks.push(section(`*Evidence*\n\`\`\`${c.evidence.map(code).join('\n')}\`\`\`${more}`));
  }
  if (c.fix !== undefined) blocks.push(section(`*Fix*\n\`\`\`${code(c.fix)}\`\`\``));
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: cap(`IRIS Backup Guard · alert ${code(c.alertId)} · ${c.decidedAt}`, SLACK_SECTION_CHARS),
        verbatim: true,
      },
    ],
  });
  return { text: escapeSlack(cap(c.title, SLACK_SECTION_CHARS)), blocks };
}
