/**
 * A small reader of the dashboard's own markup for its tests (no HTML parser is a dependency): the start tags with
 * their attributes, and text between tags. Enough to prove that text from a VM never became a tag or an attribute.
 */
export interface StartTag {
  name: string;
  attributes: Map<string, string>;
}

const TAG = /<([a-zA-Z][\w:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

export function startTags(markup: string): StartTag[] {
  const tags: StartTag[] = [];
  for (const m of markup.matchAll(TAG)) {
    const attributes = new Map<string, string>();
    for (const a of (m[2] ?? '').matchAll(ATTRIBUTE))
      attributes.set((a[1] ?? '').toLowerCase(), a[2] ?? a[3] ?? a[4] ?? '');
    tags.push({ name: (m[1] ?? '').toLowerCase(), attributes });
  }
  return tags;
}

/** The elements with `name` whose class list has `cls`. */
export const withClass = (markup: string, name: string, cls: string): StartTag[] =>
  startTags(markup).filter((t) => t.name === name && (t.attributes.get('class') ?? '').split(/\s+/).includes(cls));

/** The inner markup of the first element `<name ... id="id">`. */
export function elementById(markup: string, name: string, id: string): string | undefined {
  const start = markup.search(new RegExp(`<${name}\\b[^>]*\\bid="${id}"`));
  if (start < 0) return undefined;
  const end = markup.indexOf(`</${name}>`, start);
  return end < 0 ? undefined : markup.slice(start, end + name.length + 3);
}

/** hrefs in document order. */
export const hrefs = (markup: string): string[] =>
  startTags(markup)
    .filter((t) => t.name === 'a')
    .map((t) => (t.attributes.get('href') ?? '').replace(/&amp;/g, '&'));

/** Whitespace as a browser lays it out does not matter here: runs collapsed, none next to a tag's brackets. */
export const norm = (markup: string): string => markup.replace(/\s+/g, ' ').replace(/\s*([<>])\s*/g, '$1');
