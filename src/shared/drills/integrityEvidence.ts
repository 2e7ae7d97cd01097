/**
 * The integrity verdict from the verifier's whole output (the evidence blob): only the lines between its
 * IBG-INTEGRITY-BEGIN and IBG-INTEGRITY-END markers reach the streaming integrity parser, line by line, so memory
 * stays bounded for any size and the verifier's other lines cannot pass for integrity output.
 */
import { StringDecoder } from 'node:string_decoder';
import { IntegrityParser } from '../parsers/integrityLog';
import { LineSplitter } from '../parsers/lineSplitter';
import { integrityFromReport, type IntegrityVerdict } from './integrityVerdict';

const BEGIN = 'IBG-INTEGRITY-BEGIN';
const END = 'IBG-INTEGRITY-END';
/** Integrity lines are short; a longer one is cut (the parser keeps what it needs from the head). */
const MAX_LINE_CHARS = 8_192;

export async function integrityOfEvidence(
  source: AsyncIterable<Uint8Array | string>,
  databases: readonly string[] = [],
): Promise<IntegrityVerdict> {
  const parser = new IntegrityParser();
  let inside = false;
  let sawEnd = false;
  const splitter = new LineSplitter(MAX_LINE_CHARS, ({ text }) => {
    if (text.startsWith(BEGIN)) {
      inside = true;
      return;
    }
    if (text.startsWith(END)) {
      inside = false;
      sawEnd = true;
      return;
    }
    if (inside) parser.write(`${text}\n`);
  });
  const decoder = new StringDecoder('utf8');
  for await (const chunk of source) splitter.write(typeof chunk === 'string' ? chunk : decoder.write(Buffer.from(chunk)));
  splitter.write(decoder.end());
  splitter.end();
  const verdict = integrityFromReport(parser.end().value, databases);
  // Errors found stand; a clean result without the verifier's end marker means the upload was cut.
  if (sawEnd || verdict.status !== 'clean') return verdict;
  return { ...verdict, status: 'incomplete', messages: ['the evidence ends before the integrity section does', ...verdict.messages] };
}
