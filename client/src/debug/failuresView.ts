/**
 * The "Worker Failures" tree view: failures of the current and past `workerscope` sessions, fed by
 * the session's custom DAP events. The model and its wording live in failureTree.ts.
 */
import * as vscode from 'vscode';
import { FAILURE_EVENT, type FailureEventBody } from '../../../protocol/src/customEvents';
import { DEBUG_TYPE } from './configuration';
import { FailureTreeModel, type FailureNode, type NodePresentation } from './failureTree';

export const FAILURES_VIEW_ID = 'workerscope.failures';
export const CLEAR_FAILURES_COMMAND = 'workerscope.clearFailures';

const ICONS: Record<NodePresentation['icon'], vscode.ThemeIcon> = {
  session: new vscode.ThemeIcon('debug-alt'),
  'session-running': new vscode.ThemeIcon('debug-start'),
  exception: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  killed: new vscode.ThemeIcon('zap', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  swallowed: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  hang: new vscode.ThemeIcon('watch', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  stall: new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  frame: new vscode.ThemeIcon('debug-stackframe'),
  note: new vscode.ThemeIcon('info'),
};

export class FailuresTreeProvider implements vscode.TreeDataProvider<FailureNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(readonly model = new FailureTreeModel()) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(node?: FailureNode): FailureNode[] {
    return node ? this.model.children(node) : this.model.roots();
  }

  getTreeItem(node: FailureNode): vscode.TreeItem {
    const p = this.model.present(node);
    const expanded = node.type === 'session' && node.session.running;
    const item = new vscode.TreeItem(p.label, p.expandable ? (expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
    item.description = p.description;
    item.tooltip = p.tooltip;
    item.iconPath = ICONS[p.icon];
    item.contextValue = node.type;
    if (p.open) {
      const line = Math.max(0, p.open.line - 1);
      item.command = {
        command: 'vscode.open',
        title: 'Open Source',
        arguments: [vscode.Uri.file(p.open.file), { selection: new vscode.Range(line, 0, line, 0), preserveFocus: false } satisfies vscode.TextDocumentShowOptions],
      };
    }
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerFailuresView(context: vscode.ExtensionContext): FailuresTreeProvider {
  const provider = new FailuresTreeProvider();
  const view = vscode.window.createTreeView(FAILURES_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const isOurs = (session: vscode.DebugSession): boolean => session.type === DEBUG_TYPE;
  context.subscriptions.push(
    provider,
    view,
    vscode.debug.onDidStartDebugSession((session) => {
      if (!isOurs(session)) return;
      provider.model.addSession(session.id, session.name);
      provider.refresh();
    }),
    vscode.debug.onDidTerminateDebugSession((session) => {
      if (!isOurs(session)) return;
      provider.model.endSession(session.id);
      provider.refresh();
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((event) => {
      if (!isOurs(event.session) || event.event !== FAILURE_EVENT) return;
      if (provider.model.addFailure(event.session.id, event.session.name, event.body as FailureEventBody)) {
        provider.refresh();
        view.badge = { value: countFailures(provider), tooltip: 'Worker failures in this window' };
      }
    }),
    vscode.commands.registerCommand(CLEAR_FAILURES_COMMAND, () => {
      provider.model.clear();
      view.badge = undefined;
      provider.refresh();
    }),
  );
  return provider;
}

function countFailures(provider: FailuresTreeProvider): number {
  return provider.model.roots().reduce((n, root) => n + (root.type === 'session' ? root.session.failures.length : 0), 0);
}
