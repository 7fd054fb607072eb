/**
 * `textDocument/hover` over the diagnostics last published for a document: hovering a finding
 * shows its rule's documentation, trimmed to "What it does" and "Why is this bad?", with a link
 * to the full page. In a JavaScript or TypeScript document, a rule shared with Python shows its
 * "JavaScript and TypeScript" section instead (up to its example).
 */
import type { Diagnostic, Hover, Position } from 'vscode-languageserver';
import { DIAGNOSTIC_SOURCE } from './convert';

export interface RuleDocs {
  id: string;
  docs: string;
  docsUrl: string;
  languages?: readonly string[];
}

const JS_SECTION = '## JavaScript and TypeScript';

/** The "What it does" and "Why is this bad?" sections of a rule's markdown (for JS, its JS section when it has Python ones too). */
export function trimRuleDocs(markdown: string, language: 'python' | 'javascript' = 'python'): string {
  const lines = markdown.split('\n');
  const js = lines.findIndex((l) => l.trim() === JS_SECTION);
  if (language === 'javascript' && js > 0) {
    const section = lines.slice(js + 1);
    const fence = section.findIndex((l) => l.trimStart().startsWith('```'));
    return (fence === -1 ? section : section.slice(0, fence)).join('\n').trim();
  }
  const stop = lines.findIndex((l) => l.trim() === '## Example');
  return (stop === -1 ? lines : lines.slice(0, stop)).join('\n').trim();
}

function contains(d: Diagnostic, p: Position): boolean {
  const { start, end } = d.range;
  if (p.line < start.line || p.line > end.line) return false;
  if (p.line === start.line && p.character < start.character) return false;
  if (p.line === end.line && p.character > end.character) return false;
  return true;
}

export class DiagnosticHovers {
  private readonly latest = new Map<string, Diagnostic[]>();
  private readonly rules: Map<string, RuleDocs>;

  constructor(rules: readonly RuleDocs[]) {
    this.rules = new Map(rules.map((r) => [r.id, r]));
  }

  remember(uri: string, diagnostics: Diagnostic[]): void {
    if (diagnostics.length === 0) this.latest.delete(uri);
    else this.latest.set(uri, diagnostics);
  }

  forget(uri: string): void {
    this.latest.delete(uri);
  }

  hover(uri: string, position: Position, language: 'python' | 'javascript' = 'python'): Hover | null {
    const hits = (this.latest.get(uri) ?? []).filter((d) => d.source === DIAGNOSTIC_SOURCE && contains(d, position));
    const sections: string[] = [];
    const seen = new Set<string>();
    for (const d of hits) {
      const rule = this.rules.get(String(d.code));
      if (!rule || seen.has(rule.id)) continue;
      seen.add(rule.id);
      sections.push(`**workerscope: \`${rule.id}\`**\n\n${trimRuleDocs(rule.docs, language)}\n\n[Full documentation of ${rule.id}](${rule.docsUrl})`);
    }
    if (sections.length === 0) return null;
    const range = hits.length === 1 ? hits[0]!.range : undefined;
    return { contents: { kind: 'markdown', value: sections.join('\n\n---\n\n') }, ...(range ? { range } : {}) };
  }
}
