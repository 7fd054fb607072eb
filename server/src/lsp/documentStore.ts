/**
 * Open documents' text. Content changes are applied one by one, and each is also described as a
 * tree-sitter edit, which the analysis worker replays on its tree of the document (`TreeStore`) so
 * that it can reparse incrementally. The trees are of the document's parsableText() (lone CRs read
 * as LFs), so their rows are LSP lines.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { TreeEditData } from './treeStore';

export interface OpenDocument {
  readonly uri: string;
  text: TextDocument;
}

/** What a batch of changes means for the document's tree: these edits, or start again from the text. */
export type TreeUpdate = { edits: TreeEditData[] } | { reset: true };

export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    const doc: OpenDocument = { uri, text: TextDocument.create(uri, languageId, version, text) };
    this.docs.set(uri, doc);
    return doc;
  }

  get(uri: string): OpenDocument | undefined {
    return this.docs.get(uri);
  }

  all(): IterableIterator<OpenDocument> {
    return this.docs.values();
  }

  /** Applies the changes in order; undefined for a document that is not open. */
  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): { doc: OpenDocument; tree: TreeUpdate } | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    const edits: TreeEditData[] = [];
    let reset = false;
    for (const change of changes) {
      const range = 'range' in change ? wellFormed(change.range) : undefined;
      if (!range) {
        doc.text = TextDocument.update(doc.text, [{ text: change.text }], version);
        reset = true;
        edits.length = 0;
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
      edits.push({ startIndex: from, oldEndIndex: oldEnd, newEndIndex: newEnd, startPosition, oldEndPosition, newEndPosition: toPoint(doc.text, newEnd) });
    }
    return { doc, tree: reset ? { reset: true } : { edits } };
  }

  close(uri: string): void {
    this.docs.delete(uri);
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
function toPoint(doc: TextDocument, offset: number): { row: number; column: number } {
  const line = doc.positionAt(offset).line;
  return { row: line, column: offset - doc.offsetAt({ line, character: 0 }) };
}
