/**
 * Jupyter notebooks through LSP notebook document sync: the server keeps the notebooks and
 * their cell documents, analyses the concatenation of a notebook's Python code cells as one
 * module (what the kernel runs as `__main__`), and publishes each finding on the
 * `vscode-notebook-cell:` document it lies in.
 */
import { NotebookCellKind, NotebookDocuments, type Connection, type Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { concatenateCells, mapFinding, type ConcatenatedNotebook } from '../common/notebookSource';
import type { Finding } from '../engine/types';

export interface NotebookSnapshot {
  uri: string;
  version: number;
  concatenated: ConcatenatedNotebook<string>;
}

export class NotebookSync {
  readonly notebooks = new NotebookDocuments(TextDocument);
  /** Cells that were last sent diagnostics, per notebook: cleared when they go away. */
  private readonly published = new Map<string, Set<string>>();
  private readonly open = new Set<string>();

  constructor(connection: Connection, onChanged: (notebookUri: string) => void, onClosed: (notebookUri: string, cells: string[]) => void) {
    this.notebooks.listen(connection);
    this.notebooks.onDidOpen((nb) => {
      this.open.add(nb.uri);
      onChanged(nb.uri);
    });
    this.notebooks.onDidChange((e) => onChanged(e.notebookDocument.uri));
    this.notebooks.onDidClose((nb) => {
      const cells = new Set([...(this.published.get(nb.uri) ?? []), ...nb.cells.map((c) => c.document)]);
      this.published.delete(nb.uri);
      this.open.delete(nb.uri);
      onClosed(nb.uri, [...cells]);
    });
  }

  /** URIs of the open notebooks. */
  uris(): string[] {
    return [...this.open];
  }

  has(uri: string): boolean {
    return this.notebooks.getNotebookDocument(uri) !== undefined;
  }

  /** Whether `uri` is a cell of an open notebook. */
  isCell(uri: string): boolean {
    return this.notebooks.getNotebookCell(uri) !== undefined;
  }

  cellText(uri: string): string | undefined {
    const cell = this.notebooks.getNotebookCell(uri);
    return cell ? this.notebooks.getCellTextDocument(cell)?.getText() : undefined;
  }

  /** The Python code cells of a notebook, concatenated; undefined when it is not open. */
  snapshot(uri: string): NotebookSnapshot | undefined {
    const nb = this.notebooks.getNotebookDocument(uri);
    if (!nb) return undefined;
    const cells: { key: string; text: string }[] = [];
    for (const cell of nb.cells) {
      if (cell.kind !== NotebookCellKind.Code) continue;
      const doc = this.notebooks.getCellTextDocument(cell);
      if (!doc || doc.languageId !== 'python') continue;
      cells.push({ key: cell.document, text: doc.getText() });
    }
    return { uri, version: nb.version, concatenated: concatenateCells(cells) };
  }

  /** Diagnostics per cell URI for the findings of a snapshot (every code cell present, maybe empty). */
  distribute(snapshot: NotebookSnapshot, findings: readonly Finding[], toDiagnostic: (f: Finding, cellUri: string) => Diagnostic): Map<string, Diagnostic[]> {
    const byCell = new Map<string, Diagnostic[]>();
    for (const uri of this.published.get(snapshot.uri) ?? []) byCell.set(uri, []);
    for (const cell of snapshot.concatenated.cells) byCell.set(cell.key, []);
    for (const f of findings) {
      const mapped = mapFinding(snapshot.concatenated, f, (key) => key);
      if (mapped) byCell.get(mapped.key)?.push(toDiagnostic(mapped.finding, mapped.key));
    }
    this.published.set(snapshot.uri, new Set(snapshot.concatenated.cells.map((c) => c.key)));
    return byCell;
  }
}
