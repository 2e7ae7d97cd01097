/**
 * What a notification receiver got, read back the way a person at that target would see it: the alert's id (to pair
 * it with the app's record), its title and a short excerpt (the webhook's code, classification and fix; the Teams
 * card's title; the Slack header; the CloudEvent's type and id). The bodies are parsed defensively (anything
 * missing gives "?"), and every field is capped; the report escapes them for the terminal. Pure.
 */
import type { ReceivedRequest, ReceiverName } from '../notificationReceivers';

export interface ReceivedAlert {
  target: ReceiverName;
  /** What the receiver answered (0: no answer). */
  status: number;
  /** The alert record's id the delivery carries; undefined when it could not be read. */
  alertId?: string;
  title: string;
  excerpt: string;
}

const FIELD_CHARS = 160;

const capped = (text: string, max = FIELD_CHARS): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const firstLine = (text: string): string => {
  const end = text.indexOf('\n');
  return end === -1 ? text : `${text.slice(0, end)} …`;
};

/** The Adaptive Card text as shown: its CommonMark backslash escapes removed (teamsCard.ts adds them). */
const unescapeCard = (text: string): string => text.replace(/\\([\\`*_[\]()<>{}#|!~&+=.-])/g, '$1');

/** Slack's three escapes undone (slackBlocks.ts), &amp; last so "&amp;lt;" stays "&lt;". */
const unescapeSlack = (text: string): string => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function fromWebhook(r: ReceivedRequest): ReceivedAlert[] {
  const body = record(r.body);
  const parts = [
    `code ${str(body?.['code']) ?? '?'}`,
    `classification ${str(body?.['classification']) ?? '-'}`,
    `fix: ${capped(firstLine(str(body?.['fix']) ?? '-'), 100)}`,
  ];
  if (r.headers['x-ibg-signature'] !== undefined) parts.push('signed (x-ibg-signature)');
  const alertId = str(body?.['id']);
  return [
    {
      target: r.target,
      status: r.status,
      ...(alertId === undefined ? {} : { alertId: capped(alertId) }),
      title: capped(str(body?.['title']) ?? '?'),
      excerpt: capped(parts.join('; '), 300),
    },
  ];
}

function fromTeams(r: ReceivedRequest): ReceivedAlert[] {
  const attachments = record(r.body)?.['attachments'];
  const card = record(record(Array.isArray(attachments) ? attachments[0] : undefined)?.['content']);
  const blocks = Array.isArray(card?.['body']) ? (card['body'] as unknown[]) : [];
  const title = unescapeCard(str(record(blocks[0])?.['text']) ?? '?');
  const factSet = blocks.map(record).find((b) => b?.['type'] === 'FactSet');
  const facts = Array.isArray(factSet?.['facts']) ? (factSet['facts'] as unknown[]) : [];
  const idFact = facts.map(record).find((f) => str(f?.['title']) === 'Alert id');
  const id = str(idFact?.['value']);
  return [
    {
      target: r.target,
      status: r.status,
      ...(id === undefined ? {} : { alertId: capped(unescapeCard(id)) }),
      title: capped(title),
      excerpt: capped(`Adaptive Card ${str(card?.['version']) ?? '?'}, title "${title}"`, 300),
    },
  ];
}

function fromSlack(r: ReceivedRequest): ReceivedAlert[] {
  const blocks = record(r.body)?.['blocks'];
  const list = Array.isArray(blocks) ? blocks.map(record) : [];
  const header = unescapeSlack(str(record(list.find((b) => b?.['type'] === 'header')?.['text'])?.['text']) ?? '?');
  // The context line is "IRIS Backup Guard · alert <id> · <decided at>" (slackBlocks.ts).
  const elements = list.find((b) => b?.['type'] === 'context')?.['elements'];
  const context = str(record(Array.isArray(elements) ? elements[0] : undefined)?.['text']) ?? '';
  const marker = ' · alert ';
  const open = context.indexOf(marker);
  const close = open === -1 ? -1 : context.indexOf(' · ', open + marker.length);
  const id = close === -1 ? undefined : unescapeSlack(context.slice(open + marker.length, close));
  return [
    {
      target: r.target,
      status: r.status,
      ...(id === undefined ? {} : { alertId: capped(id) }),
      title: capped(header),
      excerpt: capped(`Block Kit header "${header}"`, 300),
    },
  ];
}

function fromEventGrid(r: ReceivedRequest): ReceivedAlert[] {
  const events = Array.isArray(r.body) ? r.body.map(record) : [];
  return events.map((e) => {
    const id = str(e?.['id']);
    return {
      target: r.target,
      status: r.status,
      ...(id === undefined ? {} : { alertId: capped(id) }),
      title: capped(str(record(e?.['data'])?.['title']) ?? '?'),
      excerpt: capped(`CloudEvent ${str(e?.['type']) ?? '?'}, id ${id ?? '?'}`, 300),
    };
  });
}

/** Each alert one request carried (an Event Grid batch may carry several). */
export function receivedAlertsOf(r: ReceivedRequest): ReceivedAlert[] {
  switch (r.target) {
    case 'webhook':
      return fromWebhook(r);
    case 'teams':
      return fromTeams(r);
    case 'slack':
      return fromSlack(r);
    case 'eventgrid':
      return fromEventGrid(r);
  }
}
