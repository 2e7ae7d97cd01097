/** One line cut from a stream of text chunks: its 1-based number from the start, and at most `maxLineChars` of it. */
export interface SplitLine {
  n: number;
  /** The line without its break, cut to `maxLineChars`. */
  text: string;
  /** The line's full length, which is larger than `text.length` when it was cut. */
  length: number;
}

/**
 * Splits text that arrives in chunks (a file stream) into lines: LF, CRLF or a lone CR, including a CRLF whose CR
 * ends one chunk and whose LF starts the next. Memory stays bounded whatever the input: a line longer than
 * `maxLineChars` keeps only its head, so a 200 MB file without a line break is never held as one string.
 * A trailing line break ends the last line; it does not start an empty one.
 */
const LF = 10;

export class LineSplitter {
  private pieces: string[] = [];
  private kept = 0;
  private length = 0;
  private next: number;
  private crPending = false;
  private lastEndedWithBreak = true;

  constructor(
    private readonly maxLineChars: number,
    private readonly onLine: (line: SplitLine) => void,
    firstLine = 1,
  ) {
    this.next = firstLine;
  }

  /** Number the next line will get. */
  get nextLine(): number {
    return this.next;
  }

  /** Whether the text written so far ends with a line break (or is empty). */
  get endedWithBreak(): boolean {
    return this.lastEndedWithBreak;
  }

  write(chunk: string): void {
    if (chunk.length === 0) return;
    let from = 0;
    // The LF of a CRLF split across two chunks belongs to the line the CR already ended.
    if (this.crPending && chunk.charCodeAt(0) === LF) from = 1;
    this.crPending = false;
    // The next LF and the next CR, each searched again only once passed: every character is scanned at most twice.
    let lf = chunk.indexOf('\n', from);
    let cr = chunk.indexOf('\r', from);
    while (lf !== -1 || cr !== -1) {
      let at: number;
      let size = 1;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        at = cr;
        if (chunk.charCodeAt(at + 1) === LF) size = 2;
      } else at = lf;
      this.append(chunk, from, at);
      this.emit();
      from = at + size;
      if (size === 1 && at === cr && from === chunk.length) this.crPending = true;
      if (lf !== -1 && lf < from) lf = chunk.indexOf('\n', from);
      if (cr !== -1 && cr < from) cr = chunk.indexOf('\r', from);
    }
    this.append(chunk, from, chunk.length);
    this.lastEndedWithBreak = from === chunk.length;
  }

  /** Emits the last line when the text did not end with a line break. */
  end(): void {
    if (this.length > 0) this.emit();
    this.crPending = false;
  }

  private append(chunk: string, start: number, end: number): void {
    const size = end - start;
    if (size <= 0) return;
    this.length += size;
    const room = this.maxLineChars - this.kept;
    if (room <= 0) return;
    const take = Math.min(room, size);
    this.pieces.push(chunk.slice(start, start + take));
    this.kept += take;
  }

  private emit(): void {
    const text = this.pieces.length === 1 ? (this.pieces[0] ?? '') : this.pieces.join('');
    const line: SplitLine = { n: this.next, text, length: this.length };
    this.next += 1;
    this.pieces = [];
    this.kept = 0;
    this.length = 0;
    this.onLine(line);
  }
}
