/**
 * Every renderer escapes hostile alert text for its medium: control characters and bidi overrides never reach a
 * target, Slack control sequences (<!channel>, <url|text>) are defused, Markdown in an Adaptive Card is literal,
 * and the evidence is capped.
 */
import { alertCloudEvent, RAISED_TYPE, RESOLVED_TYPE } from '../../src/shared/alerts/alertCloudEvent';
import {
  EVIDENCE_LINE_CHARS,
  EVIDENCE_MAX_LINES,
  EVIDENCE_TOTAL_CHARS,
  notificationContent,
} from '../../src/shared/alerts/notificationContent';
import { escapeSlack, SLACK_SECTION_CHARS, slackBlocks } from '../../src/shared/alerts/slackBlocks';
import { escapeCardMarkdown, teamsCard } from '../../src/shared/alerts/teamsCard';
import { webhookPayload, WEBHOOK_SCHEMA } from '../../src/shared/alerts/webhookPayload';
import { frozenAlert, recordOf, RUN_ID, VM_ID } from './alertFixtures';
import { stringsOf } from '../support/jsonStrings';

// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const hostile = frozenAlert({
  message: 'freeze failed <!channel> <https://evil.example.invalid|click here> **urgent** \u001b[31mred\u001b[0m',
  evidence: [
    '<script>alert(1)</script>',
    'user \u202eexe.txt',
    '[click](https://evil.example.invalid) *bold* _it_ # heading',
    '1. looks like a list',
    '{{DATE(2017-02-14T06:08:00Z, SHORT)}}',
    'bell\u0007 and NUL\u0000 here',
  ],
  fix: 'run `iris stat -W` & check <here>',
});
const record = recordOf(hostile);

describe('notificationContent', () => {
  it('has the title, run, VM, classification, evidence, fix, alert id and decision time', () => {
    const c = notificationContent(recordOf(frozenAlert()));
    expect(c.title).toBe('CRITICAL Post-ScriptExecutionFailed on iris-prod-04');
    expect(c).toMatchObject({
      runId: RUN_ID,
      vmId: VM_ID,
      classification: 'Post-ScriptExecutionFailed',
      alertId: `${RUN_ID}#1`,
      decidedAt: '2026-12-03T01:04:13.000Z',
    });
    expect(c.evidence).toHaveLength(3);
    expect(c.fix).toContain('\n');
  });

  it('titles a recovery as resolved', () => {
    expect(notificationContent(recordOf(frozenAlert({ kind: 'recovery' }))).title).toBe(
      'RESOLVED Post-ScriptExecutionFailed on iris-prod-04',
    );
  });

  it('neutralises control characters and caps each line, the number of lines and the total', () => {
    const c = notificationContent(record);
    for (const s of stringsOf(c)) expect(s).not.toMatch(CONTROL);
    const long = notificationContent(
      recordOf(frozenAlert({ evidence: Array.from({ length: 50 }, (_, i) => `${i}:`.padEnd(1000, 'x')) })),
    );
    expect(long.evidence.length).toBeLessThanOrEqual(EVIDENCE_MAX_LINES);
    for (const l of long.evidence) expect(l.length).toBeLessThanOrEqual(EVIDENCE_LINE_CHARS);
    expect(long.evidence.join('').length).toBeLessThanOrEqual(EVIDENCE_TOTAL_CHARS);
    expect(long.evidenceOmitted).toBe(50 - long.evidence.length);
  });
});

describe('webhookPayload', () => {
  it('is versioned JSON with the alert id and no control characters', () => {
    const p = webhookPayload(record);
    expect(p.schema).toBe(WEBHOOK_SCHEMA);
    expect(p.id).toBe(record.id);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    for (const s of stringsOf(p)) expect(s).not.toMatch(CONTROL);
    expect(p.evidence[0]).toBe('<script>alert(1)</script>');
  });
});

describe('teamsCard', () => {
  const card = teamsCard(record) as {
    type: string;
    attachments: { contentType: string; content: { type: string; version: string; body: { text?: string }[] } }[];
  };
  const texts = stringsOf(card.attachments[0]?.content.body);

  it('is a Workflows message with one Adaptive Card 1.4', () => {
    expect(card.type).toBe('message');
    expect(card.attachments).toHaveLength(1);
    expect(card.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.attachments[0]?.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
  });

  it('escapes Markdown, links, date functions and HTML in every text', () => {
    expect(texts.join('\n')).not.toMatch(CONTROL);
    const joined = texts.join('\n');
    expect(joined).toContain('\\[click\\]\\(https://evil.example.invalid\\)');
    expect(joined).toContain('\\*\\*urgent\\*\\*');
    expect(joined).toContain('\\{\\{DATE\\(');
    expect(joined).toContain('\\<script\\>');
    expect(joined).toContain('1\\. looks like a list');
    expect(joined).not.toMatch(/(^|[^\\])\*\*urgent/);
  });

  it.each([
    ['**bold**', '\\*\\*bold\\*\\*'],
    ['- item', '\\- item'],
    ['a\\b', 'a\\\\b'],
    ['plain words', 'plain words'],
  ])('escapeCardMarkdown(%j) = %j', (input, output) => {
    expect(escapeCardMarkdown(input)).toBe(output);
  });
});

describe('slackBlocks', () => {
  const message = slackBlocks(record) as { text: string; blocks: { type: string; text?: { text: string } }[] };
  const all = stringsOf(message).join('\n');

  it('has a fallback text, a header, mrkdwn sections and a context', () => {
    expect(message.text).toContain('CRITICAL');
    expect(message.blocks[0]?.type).toBe('header');
    expect(message.blocks.map((b) => b.type)).toContain('section');
    expect(message.blocks.at(-1)?.type).toBe('context');
  });

  it('defuses <!channel>, links and HTML; no control characters', () => {
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).not.toContain('<https://evil');
    expect(all).not.toContain('<script>');
    expect(all).toContain('&amp; check &lt;here&gt;');
    expect(all).not.toMatch(CONTROL);
  });

  it('caps every section at 3000 characters', () => {
    const big = slackBlocks(recordOf(frozenAlert({ message: '<'.repeat(5000), fix: 'x'.repeat(5000) }))) as {
      blocks: { text?: { text: string } }[];
    };
    for (const b of big.blocks) expect((b.text?.text ?? '').length).toBeLessThanOrEqual(SLACK_SECTION_CHARS);
  });

  it('escapes & before < and >', () => {
    expect(escapeSlack('a & <b> &lt;')).toBe('a &amp; &lt;b&gt; &amp;lt;');
  });
});

describe('alertCloudEvent', () => {
  it('raises with the record id, the VM as subject and the webhook payload as data', () => {
    const e = alertCloudEvent(record);
    expect(e).toMatchObject({ type: RAISED_TYPE, source: '/iris-backup-guard', id: record.id, subject: VM_ID });
    expect(e.data).toEqual(webhookPayload(record));
  });

  it('resolves for a recovery', () => {
    expect(alertCloudEvent(recordOf(frozenAlert({ kind: 'recovery' }))).type).toBe(RESOLVED_TYPE);
  });
});
