/**
 * A line-aware INI reader. It keeps the line of every section and key so that
 * each problem can be reported as `file:line`, and it collects every syntax
 * problem instead of stopping at the first.
 *
 * Accepted: `[section]`, `key = value`, whole-line comments starting with `#`
 * or `;`, inline comments after whitespace (`port = 7946  # gossip`), values
 * in double quotes (with `\"` and `\\` escapes) or single quotes (verbatim),
 * CRLF line ends and a UTF-8 byte-order mark.
 */

export interface IniEntry {
  /** Section name, or null for keys above the first section header. */
  readonly section: string | null;
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

export interface IniSection {
  readonly name: string;
  readonly line: number;
}

export interface IniProblem {
  readonly line: number;
  readonly message: string;
}

export interface IniDocument {
  readonly sections: readonly IniSection[];
  readonly entries: readonly IniEntry[];
  readonly problems: readonly IniProblem[];
}

const SECTION = /^\[\s*([^\]]*?)\s*\]\s*(?:[#;].*)?$/;
const KEY = /^[A-Za-z0-9_.-]+$/;

export function parseIni(text: string): IniDocument {
  const sections: IniSection[] = [];
  const entries: IniEntry[] = [];
  const problems: IniProblem[] = [];
  let section: string | null = null;

  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '' || s.startsWith('#') || s.startsWith(';')) return;
    if (s.startsWith('[')) {
      const m = SECTION.exec(s);
      if (!m || !KEY.test(m[1] as string)) {
        problems.push({ line, message: `malformed section header ${quote(s)}: expected [name]` });
        section = null;
        return;
      }
      section = m[1] as string;
      sections.push({ name: section, line });
      return;
    }
    const eq = s.indexOf('=');
    if (eq === -1) {
      problems.push({ line, message: `expected "key = value" or "[section]", got ${quote(s)}` });
      return;
    }
    const key = s.slice(0, eq).trim();
    if (!KEY.test(key)) {
      problems.push({ line, message: `malformed key ${quote(key)}: use letters, digits, _ . -` });
      return;
    }
    const value = parseValue(s.slice(eq + 1).trim());
    if (typeof value !== 'string') {
      problems.push({ line, message: `${key}: ${value.error}` });
      return;
    }
    entries.push({ section, key, value, line });
  });
  return { sections, entries, problems };
}

/** Unquotes a value and strips a trailing comment. */
function parseValue(s: string): string | { error: string } {
  const mark = s[0];
  if (mark === '"' || mark === "'") {
    let out = '';
    for (let i = 1; i < s.length; i++) {
      const c = s[i] as string;
      if (c === mark) {
        const rest = s.slice(i + 1).trim();
        if (rest !== '' && !rest.startsWith('#') && !rest.startsWith(';')) {
          return { error: `unexpected ${quote(rest)} after the closing quote` };
        }
        return out;
      }
      if (c === '\\' && mark === '"' && (s[i + 1] === '"' || s[i + 1] === '\\')) {
        out += s[++i];
        continue;
      }
      out += c;
    }
    return { error: `unterminated ${mark === '"' ? 'double' : 'single'} quote` };
  }
  const comment = /\s[#;]/.exec(s);
  return (comment ? s.slice(0, comment.index) : s).trim();
}

/** Text echoed in a message, cut to 60 characters so that one bad line cannot flood the report. */
export function clip(text: string): string {
  return text.length > 60 ? quote(text) : text;
}

/** Text echoed in a message in quotes, cut to 60 characters. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
