/**
 * The integrity verdict from the verifier's whole output (the evidence blob): only the text between its
 * IBG-INTEGRITY-BEGIN and IBG-INTEGRITY-END marker lines reaches the streaming integrity parser, so the verifier's
 * other lines cannot pass for integrity output. The markers are found by scanning the chunks as they come (a chunk
 * boundary may cut one), and the section is handed on in chunks, not lines: memory stays bounded for any size and
 * a 200 MB output costs little more than the parser itself.
 */
import { StringDecoder } from 'node:string_decoder';
import { IntegrityParser } from '../parsers/integrityLog';
import { integrityFromReport, type IntegrityVerdict } from './integrityVerdict';

const BEGIN = '\nIBG-INTEGRITY-BEGIN';
const END = '\nIBG-INTEGRITY-END';

/** Finds the section in a stream of text and writes it to `write`, chunk by chunk. */
export class IntegritySection {
  private state: 'before' | 'inside' | 'after' = 'before';
  /** Unscanned text kept from the last chunk: a marker may straddle two. The leading newline makes line 1 a line start. */
  private carry = '\n';
  private ended = false;

  constructor(private readonly write: (text: string) => void) {}

  /** The END marker was seen. */
  get complete(): boolean {
    return this.ended;
  }

  feed(chunk: string): void {
    if (this.state === 'after' || chunk.length === 0) return;
    let text = this.carry + chunk;
    this.carry = '';
    if (this.state === 'before') {
      const at = text.indexOf(BEGIN);
      if (at < 0) {
        this.carry = text.slice(-BEGIN.length);
        return;
      }
      const eol = text.indexOf('\n', at + 1);
      if (eol < 0) {
        this.carry = text.slice(at);
        return;
      }
      this.state = 'inside';
      // Keep the newline ending the marker line, so that END right after it is still found at a line start.
      text = text.slice(eol);
    }
    const end = text.indexOf(END);
    if (end >= 0) {
      this.write(text.slice(1, end + 1));
      this.state = 'after';
      this.ended = true;
      return;
    }
    // Hold back what could be the start of END; the section's first character is the kept newline.
    const keep = Math.min(text.length - 1, END.length - 1);
    this.write(text.slice(1, text.length - keep));
    this.carry = text.slice(text.length - keep - 1, text.length - keep) + text.slice(text.length - keep);
  }

  /** The stream ended: what is held back inside an unended section is the section's too. */
  end(): void {
    if (this.state === 'inside' && this.carry.length > 1) this.write(this.carry.slice(1));
    this.carry = '';
  }
}

export async function integrityOfEvidence(
  source: AsyncIterable<Uint8Array | string>,
  databases: readonly string[] = [],
): Promise<IntegrityVerdict> {
  const parser = new IntegrityParser();
  const section = new IntegritySection((text) => parser.write(text));
  const decoder = new StringDecoder('utf8');
  for await (const chunk of source) {
    // A view over the same bytes, not a copy.
    section.feed(
      typeof chunk === 'string' ? chunk : decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
    );
  }
  section.feed(decoder.end());
  section.end();
  const verdict = integrityFromReport(parser.end().value, databases);
  // Errors found stand; a clean result without the verifier's end marker means the upload was cut.
  if (section.complete || verdict.status !== 'clean') return verdict;
  return {
    ...verdict,
    status: 'incomplete',
    messages: ['the evidence ends before the integrity section does', ...verdict.messages],
  };
}
