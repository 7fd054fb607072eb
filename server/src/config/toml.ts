/**
 * A TOML 1.0 reader for project configuration (`pyproject.toml`, `workerscope.toml`): the whole
 * language as pyproject files use it, with the line of every key kept so configuration errors can
 * point at it. Dates and times are read as their text. Anything invalid is a `TomlError` with a line.
 */

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export class TomlError extends Error {
  override readonly name = 'TomlError';
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

export interface TomlDocument {
  root: TomlTable;
  /** The 1-based line of each key or table header, by `keyPath(path)`. */
  lines: Map<string, number>;
}

/** The map key of a path in `TomlDocument.lines`. */
export function keyPath(path: readonly string[]): string {
  return JSON.stringify(path);
}

/** How a table came to be, which decides whether a header or a dotted key may (re)open it. */
type Origin = 'implicit' | 'header' | 'dotted' | 'inline' | 'arrayItem';
type ArrayOrigin = 'static' | 'tables';

const BARE_KEY = /[A-Za-z0-9_-]/;
const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
const INTEGER = /^[+-]?(0|[1-9](_?[0-9])*)$/;
const RADIX = /^0(x[0-9A-Fa-f](_?[0-9A-Fa-f])*|o[0-7](_?[0-7])*|b[01](_?[01])*)$/;
const FLOAT = /^[+-]?(0|[1-9](_?[0-9])*)(\.[0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?$/;
const SPECIAL_FLOAT = /^[+-]?(inf|nan)$/;
const TIME = '[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?';
const DATE_TIME = new RegExp(`^([0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ]${TIME}([Zz]|[+-][0-9]{2}:[0-9]{2})?)?|${TIME})$`);

export function parseToml(text: string): TomlDocument {
  return new Parser(text).document();
}

class Parser {
  private pos = 0;
  private line = 1;
  private readonly lines = new Map<string, number>();
  private readonly origins = new WeakMap<object, Origin | ArrayOrigin>();
  private readonly root: TomlTable = {};

  constructor(private readonly text: string) {}

  document(): TomlDocument {
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
    let current: { table: TomlTable; path: string[] } = { table: this.root, path: [] };
    for (;;) {
      this.skipBlank();
      if (this.pos >= this.text.length) break;
      const c = this.text[this.pos]!;
      if (c === '#' || c === '\n' || c === '\r') this.endOfLine();
      else if (c === '[') current = this.header();
      else this.keyValue(current.table, current.path, false);
    }
    return { root: this.root, lines: this.lines };
  }

  private fail(message: string): never {
    throw new TomlError(message, this.line);
  }

  private skipBlank(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }

  /** After a statement: optional spaces, an optional comment, then a line break or the end. */
  private endOfLine(): void {
    this.skipBlank();
    if (this.text[this.pos] === '#') this.comment();
    if (this.pos >= this.text.length) return;
    if (this.text.startsWith('\r\n', this.pos)) this.pos += 2;
    else if (this.text[this.pos] === '\n') this.pos++;
    else this.fail(`expected the end of the line, found ${describe(this.text[this.pos]!)}`);
    this.line++;
  }

  private comment(): void {
    while (this.pos < this.text.length && this.text[this.pos] !== '\n') {
      const code = this.text.charCodeAt(this.pos);
      if (this.text.startsWith('\r\n', this.pos)) break;
      if ((code < 0x20 && code !== 0x09) || code === 0x7f) this.fail('control character in a comment');
      this.pos++;
    }
  }

  /** `[table]` or `[[array.of.tables]]`: the table that the following keys go into. */
  private header(): { table: TomlTable; path: string[] } {
    const array = this.text.startsWith('[[', this.pos);
    this.pos += array ? 2 : 1;
    this.skipBlank();
    const path = this.key();
    this.skipBlank();
    if (!this.text.startsWith(array ? ']]' : ']', this.pos)) this.fail(`expected ${array ? ']]' : ']'} to close the table header`);
    this.pos += array ? 2 : 1;
    const headerLine = this.line;
    const opened = this.openHeader(path, array, headerLine);
    this.endOfLine();
    return opened;
  }

  private openHeader(path: string[], array: boolean, headerLine: number): { table: TomlTable; path: string[] } {
    const parent = this.descend(this.root, path.slice(0, -1), 'implicit', true);
    const last = path[path.length - 1]!;
    const full = keyPath(path);
    if (array) {
      let list = parent[last];
      if (list === undefined) {
        list = [];
        this.origins.set(list, 'tables');
        parent[last] = list;
      } else if (!Array.isArray(list) || this.origins.get(list) !== 'tables') {
        this.fail(`"${path.join('.')}" is already defined and is not an array of tables`);
      }
      const item: TomlTable = {};
      this.origins.set(item, 'arrayItem');
      list.push(item);
      this.lines.set(full, headerLine);
      return { table: item, path };
    }
    const existing = parent[last];
    let table: TomlTable;
    if (existing === undefined) {
      table = {};
      parent[last] = table;
    } else if (isTable(existing) && this.origins.get(existing) === 'implicit') {
      table = existing;
    } else {
      this.fail(`table "${path.join('.')}" is defined more than once`);
    }
    this.origins.set(table, 'header');
    this.lines.set(full, headerLine);
    return { table, path };
  }

  /**
   * Walks (creating) the tables of `path` under `from`. `viaHeader`: a header may pass through
   * the last table of an array of tables and through tables any header or dotted key made.
   */
  private descend(from: TomlTable, path: readonly string[], created: Origin, viaHeader: boolean): TomlTable {
    let table = from;
    for (const part of path) {
      let next = table[part];
      if (next === undefined) {
        next = {};
        this.origins.set(next, created);
        table[part] = next;
      } else if (Array.isArray(next) && viaHeader && this.origins.get(next) === 'tables') {
        next = next[next.length - 1]!;
      }
      if (!isTable(next)) this.fail(`"${part}" is already a value, not a table`);
      const origin = this.origins.get(next);
      if (origin === 'inline') this.fail(`"${part}" is an inline table and cannot be extended`);
      if (!viaHeader && origin !== 'dotted') this.fail(`table "${part}" is already defined; a dotted key cannot add to it`);
      table = next;
    }
    return table;
  }

  private keyValue(table: TomlTable, prefix: readonly string[], inline: boolean): void {
    const keyLine = this.line;
    const path = this.key();
    this.skipBlank();
    if (this.text[this.pos] !== '=') this.fail(`expected "=" after the key "${path.join('.')}"`);
    this.pos++;
    this.skipBlank();
    const target = this.descend(table, path.slice(0, -1), 'dotted', false);
    const last = path[path.length - 1]!;
    if (Object.prototype.hasOwnProperty.call(target, last)) this.fail(`key "${path.join('.')}" is defined more than once`);
    const full = [...prefix, ...path];
    target[last] = this.value(full);
    this.lines.set(keyPath(full), keyLine);
    if (!inline) this.endOfLine();
  }

  private key(): string[] {
    const parts: string[] = [];
    for (;;) {
      const c = this.text[this.pos];
      if (c === '"') parts.push(this.basicString());
      else if (c === "'") parts.push(this.literalString());
      else {
        const start = this.pos;
        while (this.pos < this.text.length && BARE_KEY.test(this.text[this.pos]!)) this.pos++;
        if (this.pos === start) this.fail(c === undefined || c === '\n' || c === '\r' ? 'expected a key' : `invalid character ${describe(c)} in a key`);
        parts.push(this.text.slice(start, this.pos));
      }
      this.skipBlank();
      if (this.text[this.pos] !== '.') return parts;
      this.pos++;
      this.skipBlank();
    }
  }

  private value(path: string[]): TomlValue {
    const c = this.text[this.pos];
    if (c === '"') return this.text.startsWith('"""', this.pos) ? this.multilineBasic() : this.basicString();
    if (c === "'") return this.text.startsWith("'''", this.pos) ? this.multilineLiteral() : this.literalString();
    if (c === '[') return this.array(path);
    if (c === '{') return this.inlineTable(path);
    return this.scalar();
  }

  private scalar(): TomlValue {
    const match = /^[0-9A-Za-z_+\-.:]+/.exec(this.text.slice(this.pos, this.pos + 64));
    if (!match) this.fail(this.pos >= this.text.length || this.text[this.pos] === '\n' ? 'expected a value' : `invalid value starting with ${describe(this.text[this.pos]!)}`);
    let token = match[0];
    // A date and a time may be separated by a space.
    const spaced = /^ [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})?/.exec(this.text.slice(this.pos + token.length, this.pos + token.length + 40));
    if (spaced && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(token)) token += spaced[0];
    this.pos += token.length;
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (INTEGER.test(token) || RADIX.test(token)) return parseInteger(token);
    if (FLOAT.test(token)) return Number(token.replace(/_/g, ''));
    if (SPECIAL_FLOAT.test(token)) return token.endsWith('nan') ? NaN : token.startsWith('-') ? -Infinity : Infinity;
    if (DATE_TIME.test(token)) return token;
    this.fail(`invalid value "${token}" (strings need quotes)`);
  }

  private array(path: string[]): TomlValue[] {
    this.pos++;
    const items: TomlValue[] = [];
    this.origins.set(items, 'static');
    for (;;) {
      this.skipArraySpace();
      if (this.text[this.pos] === ']') break;
      items.push(this.value([...path, String(items.length)]));
      this.skipArraySpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      if (this.text[this.pos] !== ']') this.fail('expected "," or "]" in an array');
      break;
    }
    this.pos++;
    return items;
  }

  /** Inside an array: spaces, line breaks and comments. */
  private skipArraySpace(): void {
    for (;;) {
      this.skipBlank();
      const c = this.text[this.pos];
      if (c === '#') this.comment();
      else if (c === '\n' || c === '\r') this.endOfLine();
      else if (c === undefined) this.fail('unterminated array');
      else return;
    }
  }

  private inlineTable(path: string[]): TomlTable {
    this.pos++;
    const table: TomlTable = {};
    this.skipBlank();
    if (this.text[this.pos] === '}') {
      this.pos++;
      this.origins.set(table, 'inline');
      return table;
    }
    for (;;) {
      this.skipBlank();
      this.keyValue(table, path, true);
      this.skipBlank();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') break;
      if (c !== ',') this.fail('expected "," or "}" in an inline table (inline tables fit on one line)');
    }
    this.freeze(table);
    return table;
  }

  /** An inline table and the tables its dotted keys made are closed to later headers and keys. */
  private freeze(table: TomlTable): void {
    this.origins.set(table, 'inline');
    for (const v of Object.values(table)) if (isTable(v) && this.origins.get(v) !== 'inline') this.freeze(v);
  }

  private basicString(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n' || c === '\r') this.fail('unterminated string');
      this.pos++;
      if (c === '"') return out;
      if (c === '\\') out += this.escape();
      else out += this.stringChar(c);
    }
  }

  private multilineBasic(): string {
    this.pos += 3;
    this.skipFirstNewline();
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) this.fail('unterminated multi-line string');
      if (this.text.startsWith('"""', this.pos)) {
        // Up to two quotes may sit just inside the closing delimiter.
        let quotes = 3;
        while (quotes < 5 && this.text[this.pos + quotes] === '"') quotes++;
        out += '"'.repeat(quotes - 3);
        this.pos += quotes;
        return out;
      }
      const c = this.text[this.pos]!;
      if (c === '\\' && /^\\[ \t]*\r?\n/.test(this.text.slice(this.pos, this.pos + 64))) {
        this.pos++;
        while (/[ \t\r\n]/.test(this.text[this.pos] ?? '')) this.newlineOrSkip();
        continue;
      }
      this.pos++;
      if (c === '\r' && this.text[this.pos] === '\n') continue; // A CRLF in the string reads as LF, as in tomllib.
      if (c === '\\') out += this.escape();
      else if (c === '\n') {
        this.line++;
        out += c;
      } else out += this.stringChar(c, true);
    }
  }

  private literalString(): string {
    this.pos++;
    const start = this.pos;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n' || c === '\r') this.fail('unterminated string');
      if (c === "'") break;
      this.stringChar(c);
      this.pos++;
    }
    const value = this.text.slice(start, this.pos);
    this.pos++;
    return value;
  }

  private multilineLiteral(): string {
    this.pos += 3;
    this.skipFirstNewline();
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) this.fail('unterminated multi-line string');
      if (this.text.startsWith("'''", this.pos)) {
        let quotes = 3;
        while (quotes < 5 && this.text[this.pos + quotes] === "'") quotes++;
        out += "'".repeat(quotes - 3);
        this.pos += quotes;
        return out;
      }
      const c = this.text[this.pos]!;
      this.pos++;
      if (c === '\r' && this.text[this.pos] === '\n') continue;
      if (c === '\n') this.line++;
      out += c === '\n' ? c : this.stringChar(c, true);
    }
  }

  private skipFirstNewline(): void {
    if (this.text.startsWith('\r\n', this.pos)) this.pos += 2;
    else if (this.text[this.pos] === '\n') this.pos++;
    else return;
    this.line++;
  }

  private newlineOrSkip(): void {
    if (this.text[this.pos] === '\n') this.line++;
    this.pos++;
  }

  /** A character inside a string: control characters other than tab (and CR before LF in multi-line strings) are invalid. */
  private stringChar(c: string, multiline = false): string {
    const code = c.charCodeAt(0);
    if (multiline && c === '\r' && this.text[this.pos] === '\n') return c;
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) this.fail('control character in a string (use an escape)');
    return c;
  }

  private escape(): string {
    const c = this.text[this.pos];
    this.pos++;
    if (c !== undefined && ESCAPES[c] !== undefined) return ESCAPES[c];
    if (c === 'u' || c === 'U') {
      const digits = c === 'u' ? 4 : 8;
      const hex = this.text.slice(this.pos, this.pos + digits);
      if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex)) this.fail(`invalid \\${c} escape`);
      this.pos += digits;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) this.fail(`\\${c}${hex} is not a Unicode scalar value`);
      return String.fromCodePoint(code);
    }
    this.fail(`invalid escape \\${c ?? ''} in a string`);
  }
}

function parseInteger(token: string): number {
  const clean = token.replace(/_/g, '');
  const radix = clean.startsWith('0x') ? 16 : clean.startsWith('0o') ? 8 : clean.startsWith('0b') ? 2 : 10;
  // `-0` is the integer 0: integers have no negative zero.
  return radix === 10 ? Number(clean) + 0 : parseInt(clean.slice(2), radix);
}

export function isTable(value: TomlValue | undefined): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(c: string): string {
  if (c === '\n' || c === '\r') return 'a line break';
  return /[\x20-\x7e]/.test(c) ? `"${c}"` : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
