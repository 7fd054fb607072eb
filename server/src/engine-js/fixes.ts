/**
 * Quick-fix building blocks for JS rules: wrapping a run of module-level statements in an `if`
 * block. A wrap is only offered when it keeps the program meaning the same apart from the guard:
 * no declaration, import or export moves into the block, and no variable declared in the block
 * is used after it.
 */
import { ts } from 'ts-morph';
import type { TextEdit } from '../engine/types';
import type { JsModel } from './model';

/** Statements that must stay at module level (hoisted, exported, or declarations for later code). */
function breaksRun(stmt: ts.Statement): boolean {
  if (ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isImportDeclaration(stmt) || ts.isImportEqualsDeclaration(stmt)) return true;
  if (ts.isExportDeclaration(stmt) || ts.isExportAssignment(stmt) || ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt) || ts.isEnumDeclaration(stmt) || ts.isModuleDeclaration(stmt)) return true;
  return ts.canHaveModifiers(stmt) && (ts.getModifiers(stmt) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DeclareKeyword);
}

/**
 * The run of module-level statements from `first` to the next one that must stay at module level
 * or that `stops` it (an existing guard).
 */
export function statementRun(first: ts.Statement, stops: (stmt: ts.Statement) => boolean): ts.Statement[] | undefined {
  if (!ts.isSourceFile(first.parent) || breaksRun(first)) return undefined;
  const all = first.parent.statements;
  const run: ts.Statement[] = [first];
  for (let i = all.indexOf(first) + 1; i < all.length && !breaksRun(all[i]!) && !stops(all[i]!); i++) run.push(all[i]!);
  return run;
}

/** The module-level statement that contains `node`. */
export function topLevelStatement(node: ts.Node): ts.Statement | undefined {
  let n: ts.Node = node;
  while (n.parent && !ts.isSourceFile(n.parent)) n = n.parent;
  return n.parent ? (n as ts.Statement) : undefined;
}

/**
 * `if (<condition>) { … }` around the run, re-indented by the file's unit (lines inside template
 * literals keep their text); undefined when a variable the run declares is named after it.
 */
export function wrapRun(model: JsModel, run: readonly ts.Statement[], condition: string): TextEdit | undefined {
  const sf = model.sourceFile;
  const first = run[0];
  const last = run[run.length - 1];
  if (!first || !last) return undefined;
  const start = first.getStart(sf);
  const end = last.getEnd();
  const declared = new Set<string>();
  for (const stmt of run) {
    if (ts.isVariableStatement(stmt)) for (const decl of stmt.declarationList.declarations) for (const name of boundNames(decl.name)) declared.add(name);
  }
  if (declared.size > 0 && namesUsedAfter(sf, end, declared)) return undefined;
  const firstLine = sf.getLineAndCharacterOfPosition(start).line;
  const lastLine = sf.getLineAndCharacterOfPosition(end).line;
  if (model.lines.line(firstLine).slice(0, sf.getLineAndCharacterOfPosition(start).character).trim() !== '') return undefined;
  const rest = model.lines.line(lastLine).slice(sf.getLineAndCharacterOfPosition(end).character).trim();
  if (rest !== '' && !rest.startsWith('//')) return undefined;
  const keep = templateInteriorLines(model, run);
  const unit = indentUnit(model);
  const body: string[] = [];
  for (let l = firstLine; l <= lastLine; l++) {
    const text = model.lines.line(l);
    body.push(keep.has(l) || text.trim() === '' ? text : unit + text);
  }
  const lastText = model.lines.line(lastLine);
  return {
    range: { start: { line: firstLine, character: 0 }, end: { line: lastLine, character: lastText.length } },
    newText: `if (${condition}) {\n${body.join('\n')}\n}`,
  };
}

/** Whether an identifier after `end` (other than a property name after a dot) has one of `names`. */
function namesUsedAfter(sf: ts.SourceFile, end: number, names: ReadonlySet<string>): boolean {
  let used = false;
  const visit = (n: ts.Node): void => {
    if (used || n.end <= end) return;
    if (ts.isIdentifier(n) && n.pos >= end && names.has(n.text) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) used = true;
    else ts.forEachChild(n, visit);
  };
  visit(sf);
  return used;
}

function boundNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  const out: string[] = [];
  for (const el of name.elements) if (!ts.isOmittedExpression(el)) out.push(...boundNames(el.name));
  return out;
}

/** Lines that start inside a multi-line template literal: re-indenting them would change the string. */
function templateInteriorLines(model: JsModel, run: readonly ts.Statement[]): Set<number> {
  const sf = model.sourceFile;
  const lines = new Set<number>();
  const visit = (n: ts.Node): void => {
    if (ts.isTemplateExpression(n) || ts.isNoSubstitutionTemplateLiteral(n)) {
      const a = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
      const b = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
      for (let l = a + 1; l <= b; l++) lines.add(l);
    }
    ts.forEachChild(n, visit);
  };
  for (const stmt of run) visit(stmt);
  return lines;
}

/** The file's indentation unit, from its first indented line; two spaces if none. */
function indentUnit(model: JsModel): string {
  for (let i = 0; i < Math.min(model.lines.lineCount, 2000); i++) {
    const text = model.lines.line(i);
    const indent = /^[ \t]*/.exec(text)?.[0] ?? '';
    if (indent.length > 0 && text.trim() !== '' && !text.trimStart().startsWith('*')) return indent.startsWith('\t') ? '\t' : indent;
  }
  return '  ';
}
