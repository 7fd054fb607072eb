/**
 * The glob patterns of `exclude` and `per-file-ignores`, matched against a path relative to the
 * configuration file's directory. A pattern without a slash matches a file or directory name at
 * any depth (`test_*.py`, `build`); one with a slash is anchored there (`src/gen/**`). A pattern
 * that matches a directory covers everything inside it.
 */

export interface Glob {
  readonly pattern: string;
  /** `relative` uses `/` separators and never starts with `../`. */
  matches(relative: string): boolean;
}

export function compileGlob(pattern: string): Glob {
  const trimmed = pattern.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  const anchored = trimmed.includes('/');
  const body = trimmed.replace(/^\/+/, '');
  const regex = new RegExp(`^${globToRegex(body)}$`);
  return {
    pattern,
    matches(relative: string): boolean {
      const segments = relative.split('/').filter((s) => s !== '' && s !== '.');
      if (!anchored) return segments.some((s) => regex.test(s));
      // The path itself or any directory above it, from the configuration's directory down.
      for (let n = segments.length; n > 0; n--) if (regex.test(segments.slice(0, n).join('/'))) return true;
      return false;
    },
  };
}

/** Checks a pattern's syntax: unbalanced brackets or braces are errors, not silent literals. */
export function globProblem(pattern: string): string | undefined {
  if (pattern.trim() === '') return 'an empty pattern';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) return `"[" without "]" in "${pattern}"`;
      i = close;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth < 0) return `"}" without "{" in "${pattern}"`;
  }
  return depth > 0 ? `"{" without "}" in "${pattern}"` : undefined;
}

function globToRegex(glob: string): string {
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` is zero or more directories; a `**` elsewhere is anything, slashes included.
        const slash = glob[i + 2] === '/';
        out += slash ? '(?:[^/]*(?:/[^/]*)*/)?' : '.*';
        i += slash ? 2 : 1;
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let set = glob.slice(i + 1, close);
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      out += `[${set.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) {
      out += '|';
    } else {
      out += c.replace(/[.+^$()|\\{}]/g, '\\$&');
    }
  }
  return out;
}
