/**
 * Text mutations for the language-server fuzz target: insertions, deletions, duplications and
 * splices of lines and characters, random Unicode (astral, combining, lone surrogates, NUL),
 * line-ending changes (LF, CR LF, lone CR, mixed) and deep nesting.
 */
import type { Random } from './random';

const SNIPPETS = [
  '\n', '\r', '\r\n', ' ', '    ', '\t', ':', '(', ')', '[', ']', '{', '}', ',', '"', "'", '"""', '#', '\\', '=', '+=',
  'lambda x: x', 'def f(x):\n    return x\n', 'if __name__ == "__main__":\n', 'with mp.Pool() as pool:\n',
  'pool.map(f, xs)', 'pool.apply_async(f, (1,))', 'counter.value += 1', 'global counter\n', 'import multiprocessing as mp\n',
  'from concurrent.futures import ProcessPoolExecutor\n', 'q.empty()', 'p.join()', 'async def g():\n    await x\n',
  'class C:\n    def m(self):\n        pass\n', '# workerscope: ignore\n', 'é', 'ß', '中文', '😀', '\u0301', '\u200b', '\u2028', '\ufeff', '\0',
];

/** A random piece of text: a snippet, a run of random code points, or a lone surrogate. */
export function randomInsert(random: Random, seeds: readonly string[]): string {
  switch (random.int(6)) {
    case 0:
    case 1:
      return random.pick(SNIPPETS);
    case 2: {
      let s = '';
      for (let i = random.int(8) + 1; i > 0; i--) s += String.fromCodePoint(randomCodePoint(random));
      return s;
    }
    case 3:
      return String.fromCharCode(0xd800 + random.int(0x800)); // A lone surrogate half.
    default: {
      const seed = random.pick(seeds);
      const start = random.int(seed.length);
      return seed.slice(start, start + random.int(200));
    }
  }
}

function randomCodePoint(random: Random): number {
  switch (random.int(4)) {
    case 0:
      return 0x20 + random.int(0x5f);
    case 1:
      return random.int(0x20); // Control characters, NUL and CR among them.
    case 2:
      return 0x80 + random.int(0xff80);
    default:
      return 0x10000 + random.int(0x100000 - 0x10000);
  }
}

type Mutation = (text: string, random: Random, seeds: readonly string[]) => string;

const MUTATIONS: Mutation[] = [
  // Insert at a random offset.
  (text, random, seeds) => {
    const at = random.int(text.length + 1);
    return text.slice(0, at) + randomInsert(random, seeds) + text.slice(at);
  },
  // Delete a span of characters (may split a surrogate pair or a CR LF).
  (text, random) => {
    const at = random.int(text.length + 1);
    return text.slice(0, at) + text.slice(at + random.int(40) + 1);
  },
  // Delete, duplicate or move whole lines.
  (text, random) => {
    const lines = text.split('\n');
    const from = random.int(lines.length);
    const count = random.int(6) + 1;
    const chunk = lines.slice(from, from + count);
    switch (random.int(3)) {
      case 0:
        lines.splice(from, count);
        break;
      case 1:
        lines.splice(from, 0, ...chunk);
        break;
      default:
        lines.splice(from, count);
        lines.splice(random.int(lines.length + 1), 0, ...chunk);
    }
    return lines.join('\n');
  },
  // Splice in a part of another seed.
  (text, random, seeds) => {
    const other = random.pick(seeds);
    const a = random.int(other.length);
    const at = random.int(text.length + 1);
    return text.slice(0, at) + other.slice(a, a + random.int(2000)) + text.slice(at + random.int(100));
  },
  // Change line endings: all to CR LF or lone CR, or a random mix.
  (text, random) => {
    const lines = text.split(/\r\n|\r|\n/);
    const style = random.int(3);
    return lines.reduce((out, line, i) => (i === 0 ? line : out + (style === 0 ? '\r\n' : style === 1 ? '\r' : random.pick(['\n', '\r', '\r\n'])) + line), '');
  },
  // Re-indent a block of lines deeper or shallower (tabs or spaces).
  (text, random) => {
    const lines = text.split('\n');
    const from = random.int(lines.length);
    const unit = random.pick(['    ', '\t', ' ']);
    const deeper = random.chance(0.5);
    for (let i = from; i < Math.min(lines.length, from + random.int(20) + 1); i++) {
      lines[i] = deeper ? unit + lines[i]! : lines[i]!.replace(/^(\t| {1,4})/, '');
    }
    return lines.join('\n');
  },
  // Deep nesting: brackets, or nested blocks.
  (text, random) => {
    const depth = random.int(1200) + 50;
    const at = text.lastIndexOf('\n', random.int(text.length + 1)) + 1;
    if (random.chance(0.5)) {
      const open = random.pick(['(', '[', '{', 'f(', 'lambda: (']);
      const close = open.endsWith('(') ? ')' : open === '[' ? ']' : '}';
      return `${text.slice(0, at)}x = ${open.repeat(depth)}1${random.chance(0.8) ? close.repeat(depth) : ''}\n${text.slice(at)}`;
    }
    let block = '';
    const levels = Math.min(depth, 150);
    for (let i = 0; i < levels; i++) block += `${' '.repeat(i)}if x:\n`;
    block += `${' '.repeat(levels)}pool.map(lambda y: y, xs)\n`;
    return text.slice(0, at) + block + text.slice(at);
  },
];

/** Applies one to `count` random mutations. */
export function mutate(text: string, random: Random, seeds: readonly string[], count = random.int(4) + 1): string {
  let out = text;
  for (let i = 0; i < count; i++) out = random.pick(MUTATIONS)(out, random, seeds);
  return out;
}
