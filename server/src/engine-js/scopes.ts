/**
 * Names resolved to their declarations within one file, without TypeScript's binder or checker.
 * A name is looked up in the scopes around it, innermost first; a scope's table of names is made
 * on its first lookup from its own statements (and, for `var`, the blocks nested in them), never
 * from the functions nested in it, so a question about one function of a large file reads that
 * function and the file's top-level statements only. The first declaration of a name wins, as
 * the binder's `valueDeclaration`; every file is a strict-mode module (`moduleDetection: force`).
 */
import { ts } from 'ts-morph';

type Table = Map<string, ts.Declaration>;

// The compiler's API is reached through getters: kinds are read once, not at every node.
const K = ts.SyntaxKind;
const BLOCK_SCOPED = ts.NodeFlags.BlockScoped;
const FUNCTION_KINDS: ReadonlySet<ts.SyntaxKind> = new Set([
  K.FunctionDeclaration, K.FunctionExpression, K.ArrowFunction, K.MethodDeclaration, K.Constructor, K.GetAccessor, K.SetAccessor,
  K.MethodSignature, K.CallSignature, K.ConstructSignature, K.IndexSignature, K.FunctionType, K.ConstructorType,
]);
/** Scopes whose table is made by `scopeTable`: they hold parameters or `var`s, or only block-scoped names. */
const SCOPE_KINDS: ReadonlySet<ts.SyntaxKind> = new Set([...FUNCTION_KINDS, K.SourceFile, K.ModuleDeclaration, K.ClassStaticBlockDeclaration, K.Block, K.CaseBlock, K.ForStatement, K.ForInStatement, K.ForOfStatement, K.CatchClause, K.EnumDeclaration]);

export class Scopes {
  private readonly tables = new Map<ts.Node, Table>();

  /**
   * The declaration `id` refers to in this file: a reference's binding, or the declaration `id`
   * names. Undefined for globals, unresolved names, and names that are not references to a
   * binding (property names after `.`, labels, the key of `{ a: b }` in a pattern).
   */
  declarationOf(id: ts.Identifier): ts.Declaration | undefined {
    const p = id.parent;
    if (!p) return undefined;
    switch (p.kind) {
      case K.PropertyAccessExpression:
        if ((p as ts.PropertyAccessExpression).name === id) return undefined;
        break;
      case K.QualifiedName:
        if ((p as ts.QualifiedName).right === id) return undefined;
        break;
      case K.LabeledStatement:
      case K.BreakStatement:
      case K.ContinueStatement:
      case K.MetaProperty:
      case K.JsxAttribute:
      case K.ExportSpecifier:
        return undefined;
      case K.ImportSpecifier:
        return (p as ts.ImportSpecifier).name === id ? (p as ts.ImportSpecifier) : undefined;
      case K.BindingElement:
        if ((p as ts.BindingElement).propertyName === id) return undefined;
        break;
      case K.JsxOpeningElement:
      case K.JsxSelfClosingElement:
      case K.JsxClosingElement:
        // `<div>` is an intrinsic element, `<Panel>` a value.
        if (/^[a-z]/.test(id.text)) return undefined;
        break;
    }
    const own = ownDeclaration(id);
    if (own) return REDECLARABLE.has(own.kind) ? this.lookup(id.text, own) ?? own : own;
    // A type's name (`workerData as Progress`) names an interface, type alias or type parameter
    // first; classes, enums and imported names are found where values are.
    if (p.kind === K.TypeReference && (p as ts.TypeReferenceNode).typeName === id) return typeLookup(id.text, id) ?? this.lookup(id.text, id);
    return this.lookup(id.text, id);
  }

  private lookup(name: string, from: ts.Node): ts.Declaration | undefined {
    for (let n: ts.Node | undefined = from.parent; n; n = n.parent) {
      if (!SCOPE_KINDS.has(n.kind)) {
        if (n.kind === K.ClassExpression && (n as ts.ClassExpression).name?.text === name) return n as ts.ClassExpression;
        continue;
      }
      if (n.kind === K.Block && (FUNCTION_KINDS.has(n.parent.kind) || n.parent.kind === K.ClassStaticBlockDeclaration)) continue; // the function's own table
      const found = this.table(n).get(name);
      if (found) return found;
      // A function expression's own name is looked up after its parameters and locals.
      if (n.kind === K.FunctionExpression && (n as ts.FunctionExpression).name?.text === name) return n as ts.FunctionExpression;
    }
    return undefined;
  }

  private table(scope: ts.Node): Table {
    let table = this.tables.get(scope);
    if (!table) {
      table = scopeTable(scope);
      this.tables.set(scope, table);
    }
    return table;
  }
}

/** The type parameter, interface or type alias named `name` that is in scope at `from`. */
function typeLookup(name: string, from: ts.Node): ts.Declaration | undefined {
  for (let n: ts.Node | undefined = from.parent; n; n = n.parent) {
    const own = (n as { typeParameters?: ts.NodeArray<ts.TypeParameterDeclaration> }).typeParameters?.find((t) => t.name.text === name);
    if (own) return own;
    const statements = ts.isSourceFile(n) || ts.isBlock(n) || ts.isModuleBlock(n) ? n.statements : undefined;
    const found = statements?.find((st): st is ts.InterfaceDeclaration | ts.TypeAliasDeclaration => (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name.text === name);
    if (found) return found;
  }
  return undefined;
}

function declare(table: Table, name: ts.Identifier, decl: ts.Declaration): void {
  const first = table.get(name.text);
  // A class, function or enum merged with a namespace is the namespace's value declaration.
  if (!first || (first.kind === K.ModuleDeclaration && decl.kind !== K.ModuleDeclaration)) table.set(name.text, decl);
}

/** The names a binding pattern (or plain name) declares, each with its own declaration node. */
function declareBinding(table: Table, name: ts.BindingName, decl: ts.Declaration): void {
  if (name.kind === K.Identifier) {
    declare(table, name, decl);
    return;
  }
  for (const el of name.elements) if (el.kind === K.BindingElement) declareBinding(table, el.name, el);
}

function declareList(table: Table, list: ts.VariableDeclarationList): void {
  for (const d of list.declarations) declareBinding(table, d.name, d);
}

/** The names declared in one scope node. */
function scopeTable(scope: ts.Node): Table {
  const table: Table = new Map();
  if (FUNCTION_KINDS.has(scope.kind)) {
    const fn = scope as ts.SignatureDeclaration & { body?: ts.Node };
    for (const param of fn.parameters) declareBinding(table, param.name, param);
    if (fn.body?.kind === K.Block) functionStatements(table, (fn.body as ts.Block).statements);
    return table;
  }
  switch (scope.kind) {
    case K.SourceFile:
      functionStatements(table, (scope as ts.SourceFile).statements);
      break;
    case K.ClassStaticBlockDeclaration:
      functionStatements(table, (scope as ts.ClassStaticBlockDeclaration).body.statements);
      break;
    case K.ModuleDeclaration: {
      const body = (scope as ts.ModuleDeclaration).body;
      if (body?.kind === K.ModuleBlock) functionStatements(table, body.statements);
      else if (body?.kind === K.ModuleDeclaration && body.name.kind === K.Identifier) declare(table, body.name, body);
      break;
    }
    case K.Block:
      blockStatements(table, (scope as ts.Block).statements);
      break;
    case K.CaseBlock:
      for (const clause of (scope as ts.CaseBlock).clauses) blockStatements(table, clause.statements);
      break;
    case K.ForStatement:
    case K.ForInStatement:
    case K.ForOfStatement: {
      const init = (scope as ts.ForStatement | ts.ForInStatement | ts.ForOfStatement).initializer;
      if (init?.kind === K.VariableDeclarationList && (init.flags & BLOCK_SCOPED) !== 0) declareList(table, init as ts.VariableDeclarationList);
      break;
    }
    case K.CatchClause: {
      const d = (scope as ts.CatchClause).variableDeclaration;
      if (d) declareBinding(table, d.name, d);
      break;
    }
    case K.EnumDeclaration:
      for (const m of (scope as ts.EnumDeclaration).members) if (m.name.kind === K.Identifier) declare(table, m.name, m);
      break;
  }
  return table;
}

/** The top-level statements of a function, module or namespace: their declarations, and the `var`s nested in their blocks. */
function functionStatements(table: Table, statements: readonly ts.Statement[]): void {
  for (const s of statements) if (!blockDeclaration(table, s)) hoistVars(table, s);
}

/** A block's own statements: only block-scoped declarations (its `var`s belong to the function). */
function blockStatements(table: Table, statements: readonly ts.Statement[]): void {
  for (const s of statements) {
    if (s.kind === K.VariableStatement && ((s as ts.VariableStatement).declarationList.flags & BLOCK_SCOPED) === 0) continue;
    blockDeclaration(table, s);
  }
}

/** Declares what statement `s` declares at its own level; false when it is no declaration. */
function blockDeclaration(table: Table, s: ts.Statement): boolean {
  switch (s.kind) {
    case K.VariableStatement:
      declareList(table, (s as ts.VariableStatement).declarationList);
      return true;
    case K.FunctionDeclaration:
    case K.ClassDeclaration:
    case K.EnumDeclaration: {
      const name = (s as ts.FunctionDeclaration | ts.ClassDeclaration | ts.EnumDeclaration).name;
      if (name) declare(table, name, s as ts.FunctionDeclaration | ts.ClassDeclaration | ts.EnumDeclaration);
      return true;
    }
    case K.ModuleDeclaration: {
      const name = (s as ts.ModuleDeclaration).name;
      if (name.kind === K.Identifier) declare(table, name, s as ts.ModuleDeclaration);
      return true;
    }
    case K.ImportEqualsDeclaration:
      declare(table, (s as ts.ImportEqualsDeclaration).name, s as ts.ImportEqualsDeclaration);
      return true;
    case K.ImportDeclaration: {
      const clause = (s as ts.ImportDeclaration).importClause;
      if (clause?.name) declare(table, clause.name, clause);
      const bindings = clause?.namedBindings;
      if (bindings?.kind === K.NamespaceImport) declare(table, bindings.name, bindings);
      else if (bindings) for (const spec of bindings.elements) declare(table, spec.name, spec);
      return true;
    }
  }
  return false;
}

/** The `var`s in the blocks nested in a statement, down to (not into) nested functions. */
function hoistVars(table: Table, s: ts.Node | undefined): void {
  if (!s) return;
  switch (s.kind) {
    case K.VariableStatement:
      if (((s as ts.VariableStatement).declarationList.flags & BLOCK_SCOPED) === 0) declareList(table, (s as ts.VariableStatement).declarationList);
      return;
    case K.Block:
      for (const c of (s as ts.Block).statements) hoistVars(table, c);
      return;
    case K.IfStatement:
      hoistVars(table, (s as ts.IfStatement).thenStatement);
      hoistVars(table, (s as ts.IfStatement).elseStatement);
      return;
    case K.ForStatement:
    case K.ForInStatement:
    case K.ForOfStatement: {
      const loop = s as ts.ForStatement | ts.ForInStatement | ts.ForOfStatement;
      if (loop.initializer?.kind === K.VariableDeclarationList && (loop.initializer.flags & BLOCK_SCOPED) === 0) declareList(table, loop.initializer as ts.VariableDeclarationList);
      hoistVars(table, loop.statement);
      return;
    }
    case K.WhileStatement:
    case K.DoStatement:
    case K.LabeledStatement:
    case K.WithStatement:
      hoistVars(table, (s as ts.WhileStatement | ts.DoStatement | ts.LabeledStatement | ts.WithStatement).statement);
      return;
    case K.TryStatement: {
      const t = s as ts.TryStatement;
      hoistVars(table, t.tryBlock);
      hoistVars(table, t.catchClause?.block);
      hoistVars(table, t.finallyBlock);
      return;
    }
    case K.SwitchStatement:
      for (const clause of (s as ts.SwitchStatement).caseBlock.clauses) for (const c of clause.statements) hoistVars(table, c);
      return;
  }
}

/** Declarations whose name may be declared again in the same scope (`var x; var x;`): the first wins. */
const REDECLARABLE: ReadonlySet<ts.SyntaxKind> = new Set([K.VariableDeclaration, K.BindingElement, K.Parameter, K.FunctionDeclaration, K.ModuleDeclaration, K.ClassDeclaration, K.EnumDeclaration]);

/** Declarations `ownDeclaration` answers with when `id` is their name. */
const NAMED: ReadonlySet<ts.SyntaxKind> = new Set([
  ...REDECLARABLE, K.FunctionExpression, K.ClassExpression, K.EnumMember, K.ImportEqualsDeclaration, K.ImportClause, K.NamespaceImport,
  K.InterfaceDeclaration, K.TypeAliasDeclaration, K.TypeParameter, K.PropertyAssignment, K.PropertyDeclaration, K.PropertySignature,
  K.MethodDeclaration, K.MethodSignature, K.GetAccessor, K.SetAccessor,
]);

/** The declaration whose own name `id` is, if any. */
function ownDeclaration(id: ts.Identifier): ts.Declaration | undefined {
  const p = id.parent as ts.Node & { name?: ts.Node };
  return p.name === id && NAMED.has(p.kind) ? (p as ts.Declaration) : undefined;
}
