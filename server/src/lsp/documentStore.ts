/**
 * Open documents with their text and syntax tree. Incremental content changes are applied one by
 * one so that each can also be replayed on the tree, which tree-sitter then reparses incrementally.
 * The tree is always of the document's parsableText() (lone CRs read as LFs), so its rows are LSP lines.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { parsableText } from '../engine/text';
import { Edit, type Parser, type Point, type Tree } from 'web-tree-sitter';

export interface OpenDocument {
  readonly uri: string;
  text: TextDocument;
  /** Undefined until first parsed, and after a change the tree could not follow. */
  tree: Tree | undefined;
}

export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    this.close(uri);
    const doc: OpenDocument = { uri, text: TextDocument.create(uri, languageId, version, text), tree: undefined };
    this.docs.set(uri, doc);
    return doc;
  }

  get(uri: string): OpenDocument | undefined {
    return this.docs.get(uri);
  }

  all(): IterableIterator<OpenDocument> {
    return this.docs.values();
  }

  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): OpenDocument | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    for (const change of changes) {
      const range = 'range' in change ? wellFormed(change.range) : undefined;
      if (!range) {
        doc.text = TextDocument.update(doc.text, [{ text: change.text }], version);
        this.dropTree(doc);
        continue;
      }
      // The same offsets TextDocument.update uses: positions past a line's end or the text's end are clamped.
      const start = doc.text.offsetAt(range.start);
      const oldEnd = doc.text.offsetAt(range.end);
      // The tree is of parsableText(), where a lone CR reads as LF: a CR just before the edit may
      // change from lone to CR LF (or back), so it belongs to the edited span.
      const from = start > 0 && doc.text.getText().charCodeAt(start - 1) === 13 ? start - 1 : start;
      const startPosition = toPoint(doc.text, from);
      const oldEndPosition = toPoint(doc.text, oldEnd);
      // update() changes the document in place: everything about the old text is taken above.
      // It is given positions inside the text: with a line past the end, its incremental line table
      // goes wrong (vscode-languageserver-textdocument 1.0.16) and later edits land elsewhere.
      const clamped = { start: doc.text.positionAt(start), end: doc.text.positionAt(oldEnd) };
      doc.text = TextDocument.update(doc.text, [{ range: clamped, text: change.text }], version);
      const newEnd = start + change.text.length;
      doc.tree?.edit(new Edit({ startIndex: from, oldEndIndex: oldEnd, newEndIndex: newEnd, startPosition, oldEndPosition, newEndPosition: toPoint(doc.text, newEnd) }));
    }
    return doc;
  }

  /** Parses the document, reusing the edited previous tree when there is one. */
  parse(doc: OpenDocument, parser: Parser): Tree | undefined {
    const next = parser.parse(parsableText(doc.text.getText()), doc.tree) ?? undefined;
    if (doc.tree && doc.tree !== next) doc.tree.delete();
    doc.tree = next;
    return next;
  }

  close(uri: string): void {
    const doc = this.docs.get(uri);
    if (!doc) return;
    this.dropTree(doc);
    this.docs.delete(uri);
  }

  private dropTree(doc: OpenDocument): void {
    doc.tree?.delete();
    doc.tree = undefined;
  }
}

/**
 * The range of a change, start first, as TextDocument.update orders it (LSP clients may send it
 * end-first); undefined for a whole-document change or a range that is not made of numbers.
 */
function wellFormed(range: Range | undefined | null): Range | undefined {
  if (!range || !isPosition(range.start) || !isPosition(range.end)) return undefined;
  const { start, end } = range;
  if (start.line > end.line || (start.line === end.line && start.character > end.character)) return { start: end, end: start };
  return range;
}

function isPosition(p: Position | undefined): p is Position {
  return p !== undefined && p !== null && Number.isFinite(p.line) && Number.isFinite(p.character);
}

/**
 * A tree-sitter point (row, UTF-16 column) for an offset. LSP lines break where the parsable text
 * has an LF, so the row is the LSP line; the column is counted from that line's start, because
 * positionAt() moves an offset between CR and LF back before the CR.
 */
function toPoint(doc: TextDocument, offset: number): Point {
  const line = doc.positionAt(offset).line;
  return { row: line, column: offset - doc.offsetAt({ line, character: 0 }) };
}
