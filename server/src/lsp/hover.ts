/**
 * `textDocument/hover` over the diagnostics last published for a document. The editor already
 * shows the finding's message above the hover; we add one or two sentences of why it matters and a
 * link to the rule's page, nothing more (a long hover pushes the quick-fix link off screen).
 */
import type { Diagnostic, Hover, Position } from 'vscode-languageserver';
import { DIAGNOSTIC_SOURCE } from './convert';

export interface RuleDocs {
  id: string;
  docs: string;
  docsUrl: string;
}

/** Words beyond which a second sentence of why is left to the rule's page. */
const SHORT_WHY_WORDS = 70;

/**
 * The first one or two sentences of a rule's "Why is this bad?" section, as one paragraph
 * (a second sentence only while the two stay short).
 */
export function shortWhy(markdown: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === '## Why is this bad?');
  if (start === -1) return '';
  const paragraph: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') {
      if (paragraph.length > 0) break;
      continue;
    }
    if (line.startsWith('#')) break;
    paragraph.push(line.trim());
  }
  const sentences = splitSentences(paragraph.join(' '));
  const first = sentences[0] ?? '';
  const two = sentences.length > 1 ? `${first} ${sentences[1]}` : first;
  return two.split(/\s+/).length <= SHORT_WHY_WORDS ? two : first;
}

/** Sentences end at `.`, `!` or `?` before a space and a capital, a backtick or a parenthesis; "e.g." and "i.e." do not end one. */
function splitSentences(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (const m of text.matchAll(/[.!?](?=\s+[A-Z`(])/g)) {
    const end = m.index + 1;
    if (/\b(e\.g|i\.e|etc|vs)\.$/i.test(text.slice(Math.max(0, end - 5), end))) continue;
    out.push(text.slice(from, end).trim());
    from = end;
  }
  const rest = text.slice(from).trim();
  if (rest) out.push(rest);
  return out;
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

  hover(uri: string, position: Position): Hover | null {
    const hits = (this.latest.get(uri) ?? []).filter((d) => d.source === DIAGNOSTIC_SOURCE && contains(d, position));
    const sections: string[] = [];
    const seen = new Set<string>();
    for (const d of hits) {
      const rule = this.rules.get(String(d.code));
      if (!rule || seen.has(rule.id)) continue;
      seen.add(rule.id);
      sections.push(`**\`${rule.id}\`** — ${shortWhy(rule.docs)} [Rule documentation](${rule.docsUrl})`);
    }
    if (sections.length === 0) return null;
    const range = hits.length === 1 ? hits[0]!.range : undefined;
    return { contents: { kind: 'markdown', value: sections.join('\n\n---\n\n') }, ...(range ? { range } : {}) };
  }
}
