/**
 * Open documents with their text and syntax tree. Incremental content changes are applied one by
 * one so that each can also be replayed on the tree, which tree-sitter then reparses incrementally.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { Edit, type Parser, type Tree } from 'web-tree-sitter';

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
      if ('range' in change && doc.tree) {
        const before = doc.text;
        const startIndex = before.offsetAt(change.range.start);
        const oldEndIndex = before.offsetAt(change.range.end);
        doc.text = TextDocument.update(before, [change], version);
        const newEndIndex = startIndex + change.text.length;
        // web-tree-sitter measures JS strings in UTF-16 code units, as LSP does.
        doc.tree.edit(new Edit({
          startIndex,
          oldEndIndex,
          newEndIndex,
          startPosition: toPoint(before.positionAt(startIndex)),
          oldEndPosition: toPoint(before.positionAt(oldEndIndex)),
          newEndPosition: toPoint(doc.text.positionAt(newEndIndex)),
        }));
      } else {
        doc.text = TextDocument.update(doc.text, [change], version);
        if (!('range' in change)) this.dropTree(doc);
      }
    }
    return doc;
  }

  /** Parses the document, reusing the edited previous tree when there is one. */
  parse(doc: OpenDocument, parser: Parser): Tree | undefined {
    const next = parser.parse(doc.text.getText(), doc.tree) ?? undefined;
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

function toPoint(p: { line: number; character: number }): { row: number; column: number } {
  return { row: p.line, column: p.character };
}
