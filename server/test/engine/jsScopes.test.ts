/**
 * The JS engine's own scopes (`engine-js/scopes.ts`) against TypeScript's checker, which the
 * engine asked before: for every identifier read as a value, or naming a binding, in the JS/TS
 * rule fixtures, a set of scoping cases and 20 real files of node_modules, both must name the same
 * declaration (or none). Property names after `.`, pattern keys and export specifiers are left
 * out: there the checker answers with types (a property's declaration), which no rule asks for.
 * So are the names of accessors (a get/set pair is one property to the checker). In JavaScript the
 * checker's binder reads `exports.x = …`, `module.exports = …` and `name.x = …` on an undeclared
 * name as declarations (CommonJS exports, expandos) and answers with the file, an identifier or a
 * property access, where the scopes answer none (a global, as for any undeclared name); and it
 * takes `exports.x = …` for an export even where `exports` is a parameter, which the scopes name.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Project, ts } from 'ts-morph';
import { Scopes } from '../../src/engine-js/scopes';

const ROOT = path.resolve(__dirname, '../../../..');

const REAL_FILES = [
  'eslint-scope/lib/scope-manager.js', 'eslint-scope/lib/referencer.js', 'eslint-scope/lib/scope.js', 'espree/dist/espree.cjs',
  'commander/lib/command.js', 'debug/src/common.js', 'cross-spawn/lib/parse.js', 'flatted/esm/index.js', 'semver/classes/range.js',
  'estraverse/estraverse.js', 'graceful-fs/graceful-fs.js', 'graceful-fs/polyfills.js', 'ignore/index.js', 'bottleneck/lib/Bottleneck.js',
  'cockatiel/dist/esm/Policy.js', 'minimatch/dist/esm/index.js', 'tslib/tslib.es6.mjs', 'fdir/dist/index.mjs',
  '@azure/msal-common/src/cache/CacheManager.ts', '@azure/msal-common/src/authority/Authority.ts',
];

/** The checker's answer, as the engine asked it before it had its own scopes. */
function checkerProject(fileName: string, text: string): { file: ts.SourceFile; declarationOf: (id: ts.Identifier) => ts.Node | undefined } {
  const project = new Project({
    useInMemoryFileSystem: true,
    skipFileDependencyResolution: true,
    compilerOptions: { allowJs: true, checkJs: false, noLib: true, noResolve: true, types: [], target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, jsx: ts.JsxEmit.Preserve, moduleDetection: ts.ModuleDetectionKind.Force },
  });
  const file = project.createSourceFile(`/x/${fileName}`, text).compilerNode;
  const checker = project.getProgram().compilerObject.getTypeChecker();
  return {
    file,
    declarationOf(id) {
      let symbol = checker.getSymbolAtLocation(id);
      if (!symbol) return undefined;
      if (ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id) symbol = checker.getShorthandAssignmentValueSymbol(id.parent) ?? symbol;
      return symbol.valueDeclaration?.getSourceFile() === file ? symbol.valueDeclaration : symbol.declarations?.find((d) => d.getSourceFile() === file);
    },
  };
}

/** Identifiers outside type positions whose answer the rules use. */
function compared(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isQualifiedName(p) && p.right === id) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (ts.isImportSpecifier(p) && p.propertyName === id) return false;
  if (ts.isExportSpecifier(p) || ts.isExportAssignment(p) || ts.isJsxAttribute(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p)) return false;
  if ((ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === id) return false;
  for (let n: ts.Node = id; n.parent; n = n.parent) {
    if (ts.isTypeNode(n) && !(ts.isExpressionWithTypeArguments(n) && ts.isHeritageClause(n.parent) && n.parent.token === ts.SyntaxKind.ExtendsKeyword && ts.isClassLike(n.parent.parent))) return false;
    if (ts.isTypeParameterDeclaration(n) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isJSDoc(n)) return false;
  }
  return true;
}

function where(file: ts.SourceFile, node: ts.Node | undefined): string {
  if (!node) return 'none';
  const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
  return `${ts.SyntaxKind[node.kind]}@${line + 1}:${character + 1}`;
}

/** Mismatches between the two answers over every compared identifier of the file, and how many were compared. */
function compare(fileName: string, text: string): { mismatches: string[]; count: number } {
  const { file, declarationOf } = checkerProject(fileName, text);
  const scopes = new Scopes();
  const mismatches: string[] = [];
  let count = 0;
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && compared(n)) {
      count++;
      let expected = declarationOf(n);
      const actual = scopes.declarationOf(n);
      if (expected && (ts.isSourceFile(expected) || ts.isIdentifier(expected) || ts.isPropertyAccessExpression(expected) || ts.isBinaryExpression(expected))) expected = undefined;
      if (!expected && n.text === 'exports' && actual && (ts.isParameter(actual) || ts.isVariableDeclaration(actual))) expected = actual;
      if (expected !== actual) mismatches.push(`${fileName}: \`${n.text}\` at ${where(file, n)}: checker ${where(file, expected)}, scopes ${where(file, actual)}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(file);
  return { mismatches, count };
}

test('scopes name the same declarations as the checker over the JS/TS rule fixtures', () => {
  const dir = path.join(ROOT, 'test-fixtures/rules');
  const files = fs.readdirSync(dir).filter((f) => /\.(js|ts|mjs|cjs|jsx|tsx|mts|cts)$/.test(f));
  assert.ok(files.length >= 10, `found ${files.length} fixtures`);
  let total = 0;
  const all: string[] = [];
  for (const f of files) {
    const { mismatches, count } = compare(f, fs.readFileSync(path.join(dir, f), 'utf8'));
    all.push(...mismatches);
    total += count;
  }
  assert.deepEqual(all, []);
  assert.ok(total > 500, `compared ${total} identifiers`);
});

test('scopes name the same declarations as the checker over 20 real files of node_modules', () => {
  let total = 0;
  let read = 0;
  const all: string[] = [];
  for (const rel of REAL_FILES) {
    const full = path.join(ROOT, 'node_modules', rel);
    if (!fs.existsSync(full)) continue;
    read++;
    const { mismatches, count } = compare(path.basename(rel), fs.readFileSync(full, 'utf8'));
    all.push(...mismatches);
    total += count;
  }
  assert.deepEqual(all, []);
  assert.ok(read >= 15, `only ${read} of the files are installed`);
  assert.ok(total > 10_000, `compared ${total} identifiers`);
});

const CASES: Record<string, string> = {
  'blocks.ts': `
let a = 1;
{ let a = 2; a; { a; } }
for (let i = 0; i < 3; i++) { const a = i; a; i; }
for (const k of [1]) k;
for (const k in {}) k;
switch (a) { case 1: let s = 1; s; break; default: s; }
try { a; } catch (e) { e; let a = e; a; } finally { a; }
try {} catch { a; }
label: for (;;) { break label; }
a;
`,
  'functions.js': `
function outer(p, { q, r: [s, t = p] }, ...rest) {
  var v = p + q + s + t + rest;
  if (v) { var w = v; function inner() { return w; } inner(); }
  return w + v + hoisted();
  function hoisted() { return outer; }
}
const named = function self(n) { return n ? self(n - 1) : named; };
const shadow = function shadow(shadow) { return shadow; };
const arrow = (x, y = x) => x + y + arrow;
class K { static #n = 1; m(k) { return k + K.name; } static { var st = 1; st; } }
const C = class Inner { make() { return new Inner(); } };
outer(1, { q: 2, r: [3] }); named(1); C; arguments; undefinedName; require('x');
const o = { outer, named: named, [arrow]: 1, m() { return o; } };
let late; late = 1; late;
var dup = 1; var dup = 2; dup;
`,
  'modules.ts': `
import def, { a as b, c } from 'm';
import * as ns from 'n';
import type { T } from 't';
import eq = require('eq');
export const x = b + c + def + ns + eq;
export function f() { return x; }
export default class D { y = x; }
export { x as z };
enum E { A = 1, B = A + 1 }
E.A; E;
namespace N { export const v = 1; v; var w = v; w; }
N.v;
function overloaded(a: string): void;
function overloaded(a: unknown) { return a; }
overloaded('');
declare const ambient: number;
ambient;
const { p1, p2: renamed, ...others } = { p1: 1, p2: 2 } as { p1: number; p2: number };
p1; renamed; others;
const [first, , third = first] = [1, 2];
third;
`,
};

test('scopes name the same declarations as the checker over the scoping cases', () => {
  for (const [name, text] of Object.entries(CASES)) assert.deepEqual(compare(name, text).mismatches, []);
});
