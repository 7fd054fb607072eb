/**
 * `textDocument/hover` over the diagnostics last published for a document. The editor already
 * shows the finding's message above the hover; we add one or two sentences of why it matters and a
 * link to the rule's page, nothing more (a long hover pushes the quick-fix link off screen). In a
 * JavaScript or TypeScript document, a rule shared with Python explains itself from its
 * "JavaScript and TypeScript" section.
 */
import type { Diagnostic, Hover, Position } from 'vscode-languageserver';
import { DIAGNOSTIC_SOURCE } from './convert';

export interface RuleDocs {
  id: string;
  docs: string;
  docsUrl: string;
  languages?: readonly string[];
}

/** Words beyond which a second sentence of why is left to the rule's page. */
const SHORT_WHY_WORDS = 70;

const JS_SECTION = '## JavaScript and TypeScript';

/**
 * The first one or two sentences of why a rule matters (a second sentence only while the two stay
 * short): its "Why is this bad?" section, or for JavaScript and TypeScript the paragraph of its
 * "JavaScript and TypeScript" section that follows the one saying what it checks.
 */
export function shortWhy(markdown: string, language: 'python' | 'javascript' = 'python'): string {
  const lines = markdown.split('\n');
  const js = lines.findIndex((l) => l.trim() === JS_SECTION);
  let paragraph: string[];
  if (language === 'javascript' && js > 0) {
    const paragraphs = paragraphsFrom(lines, js + 1);
    paragraph = paragraphs[1] ?? paragraphs[0] ?? [];
  } else {
    const start = lines.findIndex((l) => l.trim() === '## Why is this bad?');
    if (start === -1) return '';
    paragraph = paragraphsFrom(lines, start + 1)[0] ?? [];
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

/** The paragraphs of a section from line `from`, up to the next heading or code fence. */
function paragraphsFrom(lines: readonly string[], from: number): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const line of lines.slice(from)) {
    if (line.startsWith('#') || line.trimStart().startsWith('```')) break;
    if (line.trim() === '') {
      if (current.length > 0) out.push(current);
      current = [];
      continue;
    }
    current.push(line.trim());
  }
  if (current.length > 0) out.push(current);
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

  hover(uri: string, position: Position, language: 'python' | 'javascript' = 'python'): Hover | null {
    const hits = (this.latest.get(uri) ?? []).filter((d) => d.source === DIAGNOSTIC_SOURCE && contains(d, position));
    const sections: string[] = [];
    const seen = new Set<string>();
    for (const d of hits) {
      const rule = this.rules.get(String(d.code));
      if (!rule || seen.has(rule.id)) continue;
      seen.add(rule.id);
      // Only a rule of both languages has a JS section beside its Python "why".
      const shared = (rule.languages ?? ['python']).length > 1;
      sections.push(`**\`${rule.id}\`** — ${shortWhy(rule.docs, shared ? language : 'python')} [Rule documentation](${rule.docsUrl})`);
    }
    if (sections.length === 0) return null;
    const range = hits.length === 1 ? hits[0]!.range : undefined;
    return { contents: { kind: 'markdown', value: sections.join('\n\n---\n\n') }, ...(range ? { range } : {}) };
  }
}
