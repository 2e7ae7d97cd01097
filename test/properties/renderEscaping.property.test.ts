/**
 * Whatever a parser returns from hostile VM output, every renderer shows it inert (DESIGN.md, safety invariant 4):
 * the terminal report (report/parseReport.ts, report/findingsText.ts) holds no raw control or bidi character, the
 * dashboard's HTML holds no markup that came from the input, and every CSV cell is one line and never starts a
 * formula. The strings fed to the renderers are the ones the parsers really return for mutated real samples.
 */
import fc from 'fast-check';
import { checkSetup } from '../../src/shared/checks/checkSetup';
import { parseProbeOutput } from '../../src/shared/checks/parseProbeOutput';
import { PROBE_MARKER } from '../../src/shared/checks/probeFacts';
import { parseByKind, PARSE_KINDS, type ParseKind } from '../../src/shared/parsers/parsedDocument';
import { csvDocument } from '../../src/shared/report/csvText';
import { findingList } from '../../src/shared/report/dashboard/findingList';
import { dashboardLinks } from '../../src/shared/report/dashboard/links';
import { renderNotFoundPage } from '../../src/shared/report/dashboard/notFoundPage';
import { timelineBars } from '../../src/shared/report/dashboard/timelineBars';
import { formatFindingsText } from '../../src/shared/report/findingsText';
import { renderDocument } from '../../src/shared/report/parseReport';
import { healthyFacts } from '../checks/support/probeFactsBuilder';
import { HOSTILE_SNIPPETS, mutatedText, samplesNamed, stringsIn } from './hostileText';

const RUNS = 30;

// What a terminal must never receive as itself (terminalText.ts): C0 but tab and LF, DEL, C1, bidi and separators.
const isUnsafe = (c: number): boolean =>
  (c <= 0x1f && c !== 0x09 && c !== 0x0a) ||
  (c >= 0x7f && c <= 0x9f) ||
  c === 0x061c ||
  c === 0x200e ||
  c === 0x200f ||
  c === 0x2028 ||
  c === 0x2029 ||
  (c >= 0x202a && c <= 0x202e) ||
  (c >= 0x2066 && c <= 0x2069);
/** The unsafe characters in `s`, as code points (empty when the text is inert). */
const unsafeIn = (s: string): number[] => [...s].map((ch) => ch.charCodeAt(0)).filter(isUnsafe);

const SAMPLE_PREFIX: Record<ParseKind, string> = {
  'script-log': 'script-',
  'extension-log': 'extension-',
  'messages-log': 'messages-',
  qlist: 'qlist-',
  integrity: 'integrity-',
};

/** A kind and a mutated real sample of it. */
const kindAndText = fc
  .constantFrom(...PARSE_KINDS)
  .chain((kind) => mutatedText(samplesNamed(SAMPLE_PREFIX[kind])).map((text) => ({ kind, text })));

/** The strings a parse of hostile input returns, plus the hostile snippets themselves (so each render sees them). */
const parsedStrings = kindAndText.map(({ kind, text }) => {
  const doc = parseByKind(kind, text);
  return [...HOSTILE_SNIPPETS, ...stringsIn(doc.value), ...doc.problems.map((p) => p.message)].slice(0, 150);
});

describe('terminal: the parse report', () => {
  it('holds no raw control or bidi character, in the human form and in JSON', () => {
    fc.assert(
      fc.property(kindAndText, ({ kind, text }) => {
        const doc = parseByKind(kind, text);
        expect(unsafeIn(renderDocument(doc, { json: false }))).toEqual([]);
        const json = renderDocument(doc, { json: true });
        expect(unsafeIn(json)).toEqual([]);
        // Inert but unchanged: the JSON still reads back as the document.
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(doc)));
      }),
      { numRuns: RUNS },
    );
  });

  it('the check report over hostile probe facts holds no raw control or bidi character', () => {
    const facts = fc.array(fc.constantFrom(...HOSTILE_SNIPPETS), { minLength: 1, maxLength: 4 }).map((bits) => {
      const f = healthyFacts();
      const text = bits.join('');
      // Free-text fields a VM controls: the owner, the script paths and the config file's content.
      return { ...f, config: { ...f.config, owner: text, path: `/etc/azure/${text}.json`, text: `{"x":"${text}"` } };
    });
    let judged = 0;
    fc.assert(
      fc.property(facts, fc.constantFrom(...HOSTILE_SNIPPETS), (raw, label) => {
        const parsed = parseProbeOutput(`${PROBE_MARKER} ${JSON.stringify(raw)}\n`);
        if (parsed.facts === undefined) return;
        const findings = checkSetup(parsed.facts);
        if (findings.length > 0) judged += 1;
        expect(unsafeIn(formatFindingsText(label, findings, parsed.facts))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    // The hostile owner and config text must have produced findings that quote them.
    expect(judged).toBeGreaterThan(0);
  });
});

describe('HTML: the dashboard', () => {
  const links = dashboardLinks('https://app.example/api/dashboard', 'code-not-real');
  // The same renders with the markup characters of the input swapped for letters: any `<` the real render has
  // beyond these came from the input unescaped.
  const neutral = (s: string): string => s.replace(/[<>&"']/g, 'x');
  const renders = (s: string): string[] => [
    renderNotFoundPage(s, links).html,
    findingList([{ code: s, severity: 'error', fix: `${s}\nsudo chmod 700 ${s}` }]).markup,
    timelineBars([
      { name: 'snapshot', state: 'failed', start: '2026-11-21T01:30:00Z', end: '2026-11-21T01:31:00Z', detail: s },
      { name: 'transfer', state: 'running', detail: s },
    ]).markup,
  ];
  const count = (text: string, char: string): number => text.split(char).length - 1;

  // Text like `onerror=` may appear as text; it is inert because no `<` or `"` from the input opens a tag or ends an
  // attribute, which the counts check.
  it('no markup from the input: no <script, no extra `<` or `"`, no raw control or bidi character', () => {
    fc.assert(
      fc.property(parsedStrings, (strings) => {
        for (const s of strings) {
          const real = renders(s);
          const safe = renders(neutral(s));
          real.forEach((markup, i) => {
            expect(markup.toLowerCase()).not.toContain('<script');
            expect(count(markup, '<')).toBe(count(safe[i] ?? '', '<'));
            expect(count(markup, '"')).toBe(count(safe[i] ?? '', '"'));
            expect(unsafeIn(markup)).toEqual([]);
          });
        }
      }),
      { numRuns: 10 },
    );
  });
});

describe('CSV', () => {
  /** RFC 4180 cells of one record (no line breaks inside: the property checks that first). */
  const cellsOf = (record: string): string[] => {
    const cells: string[] = [];
    let i = 0;
    while (i <= record.length) {
      if (record[i] === '"') {
        let value = '';
        i += 1;
        for (;;) {
          const q = record.indexOf('"', i);
          if (q === -1) throw new Error(`unclosed quote in ${record}`);
          value += record.slice(i, q);
          if (record[q + 1] === '"') {
            value += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        cells.push(value);
        if (i < record.length && record[i] !== ',') throw new Error(`text after a quoted cell in ${record}`);
        i += 1;
      } else {
        const comma = record.indexOf(',', i);
        const end = comma === -1 ? record.length : comma;
        cells.push(record.slice(i, end));
        i = end + 1;
      }
    }
    return cells;
  };

  it('every record is one line, has every column, and no cell starts a formula or holds a control character', () => {
    fc.assert(
      fc.property(parsedStrings, (strings) => {
        const rows = strings.map((s, i) => [i, s, `${s}${s}`, s.trim()]);
        const doc = csvDocument(['n', 'text', 'twice', 'trimmed'], rows);
        const records = doc.split('\r\n');
        expect(records.pop()).toBe('');
        expect(records).toHaveLength(rows.length + 1);
        for (const record of records) {
          expect(record).not.toMatch(/[\r\n]/);
          const cells = cellsOf(record);
          expect(cells).toHaveLength(4);
          for (const cell of cells) {
            expect(cell).not.toMatch(/^[=+\-@\t\r]/);
            expect(unsafeIn(cell)).toEqual([]);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
