/**
 * Small questions about TypeScript syntax nodes the JS engine asks everywhere: what an expression
 * is under its parentheses and assertions, a property's static name, whether a node is awaited or
 * a function async, and which class `this` belongs to.
 */
import { ts } from 'ts-morph';

/** Strips parentheses, `await`, `as`, `!`, `satisfies` and type assertions. */
export function unwrap(node: ts.Node): ts.Node {
  let n = node;
  for (;;) {
    if (ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isNonNullExpression(n) || ts.isAwaitExpression(n) || ts.isTypeAssertionExpression(n) || ts.isSatisfiesExpression(n)) n = n.expression;
    else return n;
  }
}

/** The name of a property name node, when it is static. */
export function propertyName(name: ts.PropertyName | ts.MemberName | ts.BindingName | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}

/** Whether `node` (through parentheses and type assertions) is an `await`: a Promise it evaluates to is settled. */
export function awaited(node: ts.Node): boolean {
  for (let n = node; ; n = (n as ts.ParenthesizedExpression).expression) {
    if (ts.isAwaitExpression(n)) return true;
    if (!(ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isNonNullExpression(n) || ts.isTypeAssertionExpression(n) || ts.isSatisfiesExpression(n))) return false;
  }
}

export function isAsync(fn: ts.Node): boolean {
  return ts.canHaveModifiers(fn) && (ts.getModifiers(fn)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false);
}

/** The class whose instance `this` is at `node`: through arrow functions, not through other functions. */
export function thisClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isArrowFunction(n)) continue;
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n)) return undefined;
    if (ts.isClassLike(n)) return n;
  }
  return undefined;
}
