/**
 * Translates engine findings into LSP diagnostics and code actions. The fixes travel inside each
 * diagnostic's `data`, so a code action request needs no second analysis.
 */
import {
  CodeAction,
  CodeActionKind,
  Diagnostic,
  DiagnosticSeverity,
  type DiagnosticRelatedInformation,
} from 'vscode-languageserver';
import type { Finding, Fix, Severity } from '../engine/types';
import { fixAction, type ModuleState, type WorkspaceEditSupport } from './fileChanges';

export const DIAGNOSTIC_SOURCE = 'workerscope';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

interface DiagnosticData {
  fixes: Fix[];
}

export function toDiagnostic(finding: Finding, uri: string, docsUrl: string | undefined): Diagnostic {
  const related: DiagnosticRelatedInformation[] = finding.related.map((r) => ({
    location: { uri: r.file ? fileUri(r.file, uri) : uri, range: r.range },
    message: r.message,
  }));
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: SEVERITY[finding.severity],
    code: finding.rule,
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
    data: { fixes: finding.fixes } satisfies DiagnosticData,
  };
  if (docsUrl) diagnostic.codeDescription = { href: docsUrl };
  if (related.length > 0) diagnostic.relatedInformation = related;
  return diagnostic;
}

/** The fixes our diagnostics among `diagnostics` carry. */
export function fixesOf(diagnostics: readonly Diagnostic[]): Fix[] {
  return diagnostics.flatMap((d) => (d.source === DIAGNOSTIC_SOURCE ? (d.data as DiagnosticData | undefined)?.fixes ?? [] : []));
}

/** What fixes that change other files need: the client's support, and the modules they add to as read now. */
export interface FileFixContext {
  support: WorkspaceEditSupport;
  modules: ReadonlyMap<string, ModuleState>;
}

const NO_FILE_FIXES: FileFixContext = { support: { documentChanges: false, createFiles: false }, modules: new Map() };

/**
 * Quick fixes for the diagnostics the editor asks about, plus a suppression comment for each:
 * `# workerscope: ignore[id]` in Python, `// workerscope-ignore id` in JavaScript and TypeScript.
 */
export function toCodeActions(uri: string, diagnostics: readonly Diagnostic[], lineText: (line: number) => string, language: 'python' | 'javascript' = 'python', files: FileFixContext = NO_FILE_FIXES): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
    const data = diagnostic.data as DiagnosticData | undefined;
    for (const fix of data?.fixes ?? []) {
      const action = fixAction(uri, fix, files.support, files.modules);
      if (!action) continue;
      actions.push({
        title: action.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: fix.isPreferred,
        edit: action.edit,
      });
    }
    actions.push(suppressionAction(uri, diagnostic, lineText(diagnostic.range.start.line), language));
  }
  return actions;
}

function suppressionAction(uri: string, diagnostic: Diagnostic, line: string, language: 'python' | 'javascript'): CodeAction {
  const rule = String(diagnostic.code);
  const end = { line: diagnostic.range.start.line, character: line.length };
  if (language === 'javascript') {
    const js = /\/\/\s*workerscope-ignore\b(.*)$/.exec(line);
    const at = (character: number) => ({ line: end.line, character });
    const edit = js
      ? { range: { start: at(js.index), end }, newText: `// workerscope-ignore ${[js[1]!.trim(), rule].filter((s) => s !== '').join(', ')}` }
      : { range: { start: end, end }, newText: ` // workerscope-ignore ${rule}` };
    return { title: `Suppress ${rule} on this line`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: [edit] } } };
  }
  const existing = /#\s*workerscope:\s*ignore\[([^\]]*)\]/.exec(line);
  const edit = existing
    ? {
        range: {
          start: { line: end.line, character: existing.index },
          end: { line: end.line, character: existing.index + existing[0].length },
        },
        newText: `# workerscope: ignore[${existing[1]!.trim()}, ${rule}]`,
      }
    : { range: { start: end, end }, newText: `  # workerscope: ignore[${rule}]` };
  return {
    title: `Suppress ${rule} on this line`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    edit: { changes: { [uri]: [edit] } },
  };
}

function fileUri(file: string, fallback: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(file)) return file;
  return file.startsWith('/') ? `file://${encodeURI(file)}` : fallback;
}
