/** What a parser could not read: a line number in the original input where one applies, and a sentence. */
export interface ParseProblem {
  line?: number;
  message: string;
}

/** Every parser returns what it could read plus what it could not; none of them throws on bad input. */
export interface ParseResult<T> {
  value: T;
  problems: ParseProblem[];
}

/** A VM can print anything; past this many problems only a count is kept, so a garbage file cannot blow up a report. */
export const MAX_PROBLEMS = 50;

/** Collects problems up to MAX_PROBLEMS and then only counts them. */
export class ProblemLog {
  private readonly items: ParseProblem[] = [];
  private dropped = 0;

  add(message: string, line?: number): void {
    if (this.items.length >= MAX_PROBLEMS) {
      this.dropped += 1;
      return;
    }
    this.items.push(line === undefined ? { message } : { line, message });
  }

  addAll(problems: readonly ParseProblem[]): void {
    for (const p of problems) this.add(p.message, p.line);
  }

  list(): ParseProblem[] {
    if (this.dropped === 0) return [...this.items];
    return [...this.items, { message: `${this.dropped} more problems were not listed` }];
  }
}
