/**
 * LSP pull diagnostics, for clients that ask for them (`textDocument/diagnostic` and
 * `workspace/diagnostic`; vscode-languageclient 9): the server's findings are kept here by URI
 * instead of being published, each list with a result id that changes only when the list does,
 * so a client asking again about an unchanged file gets `unchanged`. A document pull waits for the
 * analysis of the document's current version; a workspace pull answers with the closed files
 * whose findings changed and, when none did, waits for the next change. Findings that change
 * without an edit of their document (a module it imports changed) make the server ask the client
 * to pull again (`workspace/diagnostic/refresh`). Notebook cells are published, never kept here.
 */
import type { CancellationToken, Connection, Diagnostic, DocumentDiagnosticReport, WorkspaceDiagnosticReport, WorkspaceDocumentDiagnosticReport } from 'vscode-languageserver/node';

/** The longest a document pull waits for its version's analysis before it answers with what there is. */
const DOCUMENT_WAIT_MS = 25_000;
/** Changes this close together are answered (or refreshed) once. */
const SETTLE_MS = 10;

interface Entry {
  version: number | undefined;
  diagnostics: Diagnostic[];
  json: string;
  resultId: string;
}

export interface PullDiagnosticsDeps {
  readonly connection: Connection;
  /** The version of an open text document; undefined for files not open (and notebook cells). */
  currentVersion(uri: string): number | undefined;
  /** Whether the client may be asked to pull again. */
  readonly refreshSupport: boolean;
  /** Publishes the old way (until the client's first workspace pull, for closed files). */
  publish(uri: string, diagnostics: Diagnostic[]): void;
}

export class PullDiagnostics {
  private readonly entries = new Map<string, Entry>();
  private readonly waiters = new Map<string, Set<() => void>>();
  /** The version each document pull was last answered for (the client holds that document's result). */
  private readonly served = new Map<string, number | undefined>();
  private workspaceWaiters = new Set<() => void>();
  /** Closed files published while the client had not pulled the workspace yet (cleared when it does). */
  private readonly publishedClosed = new Set<string>();
  private workspacePulled = false;
  private nextResultId = 1;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: PullDiagnosticsDeps) {}

  /** The server's findings for `uri` (`version`: of the open document they were analysed for). */
  set(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void {
    const json = JSON.stringify(diagnostics);
    const old = this.entries.get(uri);
    const changed = !old || old.json !== json;
    this.entries.set(uri, { version, diagnostics, json, resultId: changed ? String(this.nextResultId++) : old.resultId });
    const waiting = this.waiters.get(uri);
    if (waiting && waiting.size > 0) {
      for (const wake of [...waiting]) wake();
      return;
    }
    if (!changed) return;
    if (this.served.has(uri)) {
      // The client holds this document's result for this version: only a refresh makes it ask again.
      if (this.served.get(uri) === version) this.scheduleRefresh();
      return;
    }
    if (this.deps.currentVersion(uri) !== undefined) return;
    if (!this.workspacePulled) {
      // A client that never pulls the workspace (Neovim 0.10 pulls documents only) still sees closed files.
      if (diagnostics.length > 0) this.publishedClosed.add(uri);
      if (diagnostics.length > 0 || this.publishedClosed.delete(uri)) this.deps.publish(uri, diagnostics);
      return;
    }
    for (const wake of [...this.workspaceWaiters]) wake();
  }

  /** The client closed the document: it forgets its document result. */
  closed(uri: string): void {
    this.served.delete(uri);
  }

  async document(uri: string, previousResultId: string | undefined, token: CancellationToken): Promise<DocumentDiagnosticReport> {
    const deadline = Date.now() + DOCUMENT_WAIT_MS;
    for (;;) {
      const current = this.deps.currentVersion(uri);
      const entry = this.entries.get(uri);
      if (current === undefined || entry?.version === current || token.isCancellationRequested || Date.now() >= deadline) break;
      await this.wait(uri, deadline - Date.now(), token);
    }
    const entry = this.entries.get(uri) ?? this.empty(uri);
    this.served.set(uri, entry.version);
    return entry.resultId === previousResultId ? { kind: 'unchanged', resultId: entry.resultId } : { kind: 'full', resultId: entry.resultId, items: entry.diagnostics };
  }

  async workspace(previous: readonly { uri: string; value: string }[], token: CancellationToken): Promise<WorkspaceDiagnosticReport> {
    if (!this.workspacePulled) {
      this.workspacePulled = true;
      // From now on closed files come by pull: what was published for them goes, or VS Code would show it twice.
      for (const uri of this.publishedClosed) this.deps.publish(uri, []);
      this.publishedClosed.clear();
    }
    const known = new Map(previous.map((p) => [p.uri, p.value]));
    for (;;) {
      const items = this.closedChanges(known);
      if (items.length > 0 || token.isCancellationRequested) return { items };
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.workspaceWaiters.delete(wake);
          cancel.dispose();
          // A pass publishes file after file: one answer for those arriving together.
          setTimeout(resolve, SETTLE_MS);
        };
        const cancel = token.onCancellationRequested(wake);
        this.workspaceWaiters.add(wake);
      });
    }
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    for (const wake of [...this.workspaceWaiters]) wake();
    for (const set of this.waiters.values()) for (const wake of [...set]) wake();
  }

  /** Files not open whose findings differ from the result the client holds (none held and none found: left out). */
  private closedChanges(known: ReadonlyMap<string, string>): WorkspaceDocumentDiagnosticReport[] {
    const items: WorkspaceDocumentDiagnosticReport[] = [];
    for (const [uri, entry] of this.entries) {
      if (this.deps.currentVersion(uri) !== undefined || this.served.has(uri)) continue;
      const held = known.get(uri);
      if (held === entry.resultId || (held === undefined && entry.diagnostics.length === 0)) continue;
      items.push({ kind: 'full', uri, version: null, resultId: entry.resultId, items: entry.diagnostics });
    }
    return items;
  }

  private empty(uri: string): Entry {
    const entry: Entry = { version: undefined, diagnostics: [], json: '[]', resultId: String(this.nextResultId++) };
    this.entries.set(uri, entry);
    return entry;
  }

  private wait(uri: string, ms: number, token: CancellationToken): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(uri);
      if (!set) this.waiters.set(uri, (set = new Set()));
      const done = (): void => {
        clearTimeout(timer);
        cancel.dispose();
        set.delete(done);
        if (set.size === 0) this.waiters.delete(uri);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      const cancel = token.onCancellationRequested(done);
      set.add(done);
    });
  }

  private scheduleRefresh(): void {
    if (!this.deps.refreshSupport || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.deps.connection.languages.diagnostics.refresh().catch(() => undefined);
    }, SETTLE_MS);
  }
}
