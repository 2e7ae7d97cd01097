/**
 * A minimal reading of an INI file the way Python 3's `configparser.ConfigParser()` reads it (strict mode, the
 * defaults the extension uses): option names are lower-cased, `=` and `:` both delimit, full-line `#`/`;` comments,
 * indented lines continue a value, and duplicates or text before the first section raise (here: `error`).
 */
export interface IniDocument {
  sections: Map<string, Map<string, string>>;
  /** Set when Python would raise while reading; the extension then treats the file as unparseable. */
  error?: string;
}

export function parsePythonIni(text: string): IniDocument {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  let lastOption: string | undefined;
  let lastIndent = 0;
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i += 1) {
    const raw = lines[i] ?? '';
    const stripped = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (stripped === '' || stripped.startsWith('#') || stripped.startsWith(';')) {
      if (stripped === '') lastOption = undefined;
      continue;
    }
    if (current && lastOption !== undefined && indent > lastIndent) {
      current.set(lastOption, `${current.get(lastOption) ?? ''}\n${stripped}`);
      continue;
    }
    const header = /^\[(.+)\]/.exec(stripped);
    if (header) {
      const name = header[1] ?? '';
      if (sections.has(name)) return { sections, error: `section '${name}' already exists (line ${i + 1})` };
      current = new Map();
      sections.set(name, current);
      lastOption = undefined;
      continue;
    }
    if (!current) return { sections, error: `file contains no section headers (line ${i + 1})` };
    const option = /^(.*?)\s*[=:]\s*(.*)$/.exec(stripped);
    if (!option || (option[1] ?? '') === '') return { sections, error: `parsing error at line ${i + 1}` };
    const name = (option[1] ?? '').toLowerCase();
    if (current.has(name)) return { sections, error: `option '${name}' already exists (line ${i + 1})` };
    current.set(name, option[2] ?? '');
    lastOption = name;
    lastIndent = indent;
  }
  return { sections };
}

/** `config.get(section, option)` with BasicInterpolation: a lone '%' raises InterpolationSyntaxError. */
export function getIniValue(doc: IniDocument, section: string, option: string): { value?: string; error?: string } {
  const value = doc.sections.get(section)?.get(option.toLowerCase());
  if (value === undefined) return { error: `No option '${option}' in section '${section}'` };
  if (value.replace(/%%|%\([^)]*\)s/g, '').includes('%')) {
    return { error: `'%' must be followed by '%' or '(' in ${option}` };
  }
  return { value: value.replace(/%%/g, '%') };
}

/** Python's `int(str)`: optional sign, digits (single underscores between digits), surrounding whitespace. */
export function pythonIntFromString(text: string): number | undefined {
  const m = /^\s*([+-]?)(\d(?:_?\d)*)\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number((m[2] ?? '').replace(/_/g, ''));
  return m[1] === '-' ? -n : n;
}
