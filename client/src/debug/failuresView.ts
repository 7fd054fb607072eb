/**
 * The "Worker Failures" tree view: failures and races of the current and past `workerscope`
 * sessions, fed by the session's custom DAP events and kept in the workspace's storage across
 * window reloads. The model and its wording live in failureTree.ts.
 */
import * as vscode from 'vscode';
import { FAILURE_EVENT, RACE_EVENT, SUMMARY_EVENT, type FailureEventBody, type RaceEventBody, type SummaryEventBody } from '../../../protocol/src/customEvents';
import { TIMELINE_EVENT, type TimelineEventBody } from '../../../protocol/src/timeline';
import { DEBUG_TYPE } from './configuration';
import { FailureTreeModel, type FailureNode, type NodePresentation } from './failureTree';

export const FAILURES_VIEW_ID = 'workerscope.failures';
export const CLEAR_FAILURES_COMMAND = 'workerscope.clearFailures';
/** The workspaceState key of the view's snapshot (bounded by the model: 20 sessions, 200 failures each, no locals). */
const STORAGE_KEY = 'workerscope.failures';
const SAVE_DELAY_MS = 300;

const ICONS: Record<NodePresentation['icon'], vscode.ThemeIcon> = {
  session: new vscode.ThemeIcon('debug-alt'),
  'session-running': new vscode.ThemeIcon('debug-start'),
  exception: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  killed: new vscode.ThemeIcon('zap', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  swallowed: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  hang: new vscode.ThemeIcon('watch', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  stall: new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  race: new vscode.ThemeIcon('git-compare', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  detail: new vscode.ThemeIcon('dash'),
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
    // A session with a timeline gets the "Show Timeline" button (package.json: view/item/context).
    item.contextValue = node.type === 'session' && node.session.timeline ? 'session-timeline' : node.type;
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
  provider.model.restore(context.workspaceState.get(STORAGE_KEY));
  const view = vscode.window.createTreeView(FAILURES_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  let saveTimer: NodeJS.Timeout | undefined;
  const save = (): void => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    void context.workspaceState.update(STORAGE_KEY, provider.model.snapshot());
  };
  // Every change redraws the tree and the badge; the snapshot is written a moment later, once per burst.
  const changed = (): void => {
    provider.refresh();
    view.badge = provider.model.badge();
    if (saveTimer === undefined) saveTimer = setTimeout(save, SAVE_DELAY_MS);
  };
  view.badge = provider.model.badge();
  const isOurs = (session: vscode.DebugSession): boolean => session.type === DEBUG_TYPE;
  context.subscriptions.push(
    provider,
    view,
    { dispose: () => saveTimer !== undefined && save() },
    vscode.debug.onDidStartDebugSession((session) => {
      if (!isOurs(session)) return;
      const config = session.configuration as { program?: unknown; report?: unknown; timeline?: unknown };
      const report = typeof config.report === 'string' && config.report !== '' ? config.report : undefined;
      provider.model.addSession(session.id, session.name, new Date(), { program: report ? undefined : stringOr(config.program), report, timeline: report ? undefined : stringOr(config.timeline) });
      changed();
    }),
    vscode.debug.onDidTerminateDebugSession((session) => {
      if (!isOurs(session)) return;
      provider.model.endSession(session.id);
      changed();
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((event) => {
      if (!isOurs(event.session)) return;
      const { id, name } = event.session;
      let isNew = false;
      if (event.event === FAILURE_EVENT) isNew = provider.model.addFailure(id, name, event.body as FailureEventBody);
      else if (event.event === RACE_EVENT) isNew = provider.model.addRace(id, name, (event.body as RaceEventBody).race);
      else if (event.event === SUMMARY_EVENT) isNew = provider.model.setProgram(id, (event.body as SummaryEventBody).program);
      else if (event.event === TIMELINE_EVENT) {
        const body = event.body as TimelineEventBody;
        if (body?.final && typeof body.file === 'string') isNew = provider.model.setTimeline(id, body.file);
      }
      if (isNew) changed();
    }),
    vscode.commands.registerCommand(CLEAR_FAILURES_COMMAND, () => {
      provider.model.clear();
      changed();
      save();
    }),
  );
  return provider;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
