/**
 * The TOML reader against Python's own `tomllib` (3.11+): the same values for documents using
 * every construct pyproject files hold, and an error (with the right line) wherever tomllib refuses.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { keyPath, parseToml, TomlError } from '../../src/config/toml';

const VALID: Record<string, string> = {
  pyproject: `# A real-looking pyproject
[build-system]
requires = ["setuptools>=61", "wheel"]  # trailing comment
build-backend = "setuptools.build_meta"

[project]
name = "demo"
version = "1.2.3"
authors = [{ name = "A. Person", email = "a@example.org" }]
dependencies = [
    "requests>=2",   # why
    'numpy; python_version >= "3.9"',
]
description = """
A "multi-line" description \\
    continued."""
readme = { file = "README.md", content-type = "text/markdown" }

[project.optional-dependencies]
test = ["pytest"]

[project.scripts]
demo = "demo.cli:main"

[tool.black]
line-length = 88
target-version = ['py38', 'py39']
skip-string-normalization = true

[[tool.mypy.overrides]]
module = ["a.*", "b"]
ignore_missing_imports = true

[[tool.mypy.overrides]]
module = "c"
strict = false

[tool.ruff.lint]
select = ["E", "F"]
per-file-ignores."tests/*" = ["S101"]

[tool.workerscope]
rules = { "busy-wait-queue" = "off", unclosed-pool = "error" }
start-method = "spawn"
`,
  scalars: `int = +17
neg = -0
hex = 0xDEAD_beef
oct = 0o755
bin = 0b1101
under = 1_000_000
flt = 6.626e-34
flt2 = -3.1415
flt3 = 5e+22
inf1 = inf
ninf = -inf
bools = [true, false]
odt = 1979-05-27T07:32:00Z
odt2 = 1979-05-27 07:32:00.999999-07:00
ld = 1979-05-27
lt = 07:32:00
`,
  strings: `basic = "tab\\there \\u00e9 \\U0001F600 quote\\" backslash\\\\"
literal = 'C:\\Users\\nodejs\\templates'
ml_literal = '''
The first newline is
trimmed in raw strings.
   All other whitespace
   is preserved.
'''
quotes = """Here are two quotation marks: "". Simple enough."""
five = """Here are three quotation marks: ""\\"."""
edge = """""quoted"""""
edge2 = ''''That,' she said, 'is still pointless.''''
"quoted key" = 1
'literal key' = 2
"" = 3
a.b.c = 4
a . "d" . 'e' = 5
`,
  tables: `[a.b.c]
x = 1
[a]
y = 2
[a.b]
z = 3
[[fruits]]
name = "apple"
[fruits.physical]
color = "red"
[[fruits.varieties]]
name = "red delicious"
[[fruits]]
name = "banana"
[dog."tater.man"]
type.name = "pug"
[x.y]
arr = [ [1, 2], ["a", 'b'], [ { k = 1 } ], ]
empty = {}
nested = { a = { b = 1 }, c.d = 2 }
`,
  crlf: 'a = 1\r\n[t]\r\nb = """x\r\ny"""\r\n',
};

const INVALID: Array<[string, string, number]> = [
  ['duplicate key', 'a = 1\nb = 2\na = 3\n', 3],
  ['duplicate table', '[a]\nx = 1\n[b]\n[a]\n', 4],
  ['header over a dotted table', '[fruit]\napple.color = "red"\n\n[fruit.apple]\n', 4],
  ['dotted key into a header table', '[a.b]\nx = 1\n[a]\nb.y = 2\n', 4],
  ['inline table extended', 'a = { b = 1 }\n[a.c]\n', 2],
  ['inline table extended by a dotted key', 'a = { b = 1 }\na.c = 2\n', 2],
  ['static array appended to', 'a = [1]\n[[a]]\n', 2],
  ['bare string', 'a = hello\n', 1],
  ['unterminated string', 'a = "abc\nb = 1\n', 1],
  ['unterminated array', 'a = [1,\n2\n', 3],
  ['missing comma', 'a = [\n  1\n  2\n]\n', 3],
  ['newline in inline table', 'a = { b = 1,\n c = 2 }\n', 1],
  ['trailing comma in inline table', 'a = { b = 1, }\n', 1],
  ['bad escape', 'a = "\\x41"\n', 1],
  ['leading zero', 'a = 012\n', 1],
  ['double underscore', 'a = 1__0\n', 1],
  ['two values on a line', 'a = 1 b = 2\n', 1],
  ['key without value', 'a =\n', 1],
  ['value without key', '= 1\n', 1],
  ['bad header', '[a\nb = 1\n', 1],
  ['control character', 'a = "x\u0001"\n', 1],
  ['float with no digits after point', 'a = 1.\n', 1],
  ['a key redefined as a table', 'a = 1\n[a]\n', 2],
  ['array of tables over a table', '[a]\n[[a]]\n', 2],
];

/** tomllib's reading of every document, in one Python run (starting Python is slow on a loaded machine). */
let verdicts: Map<string, { ok: true; value: unknown } | { ok: false }> | undefined | null;

function tomllib(text: string): { ok: true; value: unknown } | { ok: false } | undefined {
  if (verdicts === undefined) verdicts = runTomllib([...Object.values(VALID), ...INVALID.map(([, t]) => t)]);
  return verdicts?.get(text);
}

function runTomllib(texts: string[]): Map<string, { ok: true; value: unknown } | { ok: false }> | null {
  const script = `import sys, json, math, datetime
try:
    import tomllib
except ImportError:
    sys.exit(3)
def conv(v):
    if isinstance(v, dict): return {k: conv(x) for k, x in v.items()}
    if isinstance(v, list): return [conv(x) for x in v]
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)): return repr(v)
    if isinstance(v, (datetime.date, datetime.time, datetime.datetime)): return "date"
    return v
out = []
for text in json.loads(sys.stdin.read()):
    try:
        out.append({"ok": True, "value": conv(tomllib.loads(text))})
    except tomllib.TOMLDecodeError:
        out.append({"ok": False})
print(json.dumps(out))`;
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0 || run.error) return null;
  const results = JSON.parse(run.stdout) as Array<{ ok: true; value: unknown } | { ok: false }>;
  return new Map(texts.map((t, i) => [t, results[i]!]));
}

/** Our values in tomllib's JSON form: dates as "date", infinities as Python's repr. */
function comparable(v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (typeof v === 'string' && /^(\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2})/.test(v)) return 'date';
  if (Array.isArray(v)) return v.map(comparable);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, comparable(x)]));
  return v;
}

for (const [name, text] of Object.entries(VALID)) {
  test(`valid TOML "${name}" reads as tomllib reads it`, (t) => {
    const ours = comparable(parseToml(text).root);
    const theirs = tomllib(text);
    if (!theirs) return t.skip('no Python 3.11+ with tomllib');
    assert.ok(theirs.ok, 'tomllib accepts it');
    assert.deepEqual(ours, theirs.value);
  });
}

for (const [name, text, line] of INVALID) {
  test(`invalid TOML (${name}) is an error at line ${line}, as tomllib refuses it`, () => {
    assert.throws(() => parseToml(text), (e: unknown) => e instanceof TomlError && e.line === line, `${name}: expected an error at line ${line}`);
    const theirs = tomllib(text);
    if (theirs) assert.equal(theirs.ok, false, `tomllib accepts the "${name}" case`);
  });
}

test('the line of every key and table header is kept', () => {
  const doc = parseToml(VALID['pyproject']!);
  assert.equal(doc.lines.get(keyPath(['tool', 'workerscope'])), 42);
  assert.equal(doc.lines.get(keyPath(['tool', 'workerscope', 'rules'])), 43);
  assert.equal(doc.lines.get(keyPath(['tool', 'workerscope', 'rules', 'unclosed-pool'])), 43);
  assert.equal(doc.lines.get(keyPath(['tool', 'workerscope', 'start-method'])), 44);
  assert.equal(doc.lines.get(keyPath(['project', 'description'])), 14);
  assert.equal(doc.lines.get(keyPath(['project', 'readme'])), 17);
});
