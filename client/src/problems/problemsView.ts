/**
 * The "Parallel Problems" tree view: every Workerscope finding the editor knows of (open files and,
 * with workspace diagnostics, files never opened) grouped by rule, then file — the grouping VS
 * Code's Problems panel does not offer. Fed by the diagnostics themselves, so it never disagrees
 * with the squiggles; the grouping lives in problemsModel.ts.
 */
import * as vscode from 'vscode';
import { fileLabel, groupProblems, problemLabel, ruleLabel, type FileGroup, type ProblemInput, type RuleGroup } from './problemsModel';

export const PROBLEMS_VIEW_ID = 'workerscope.problems';
const REFRESH_DELAY_MS = 150;

type Node = { kind: 'rule'; group: RuleGroup } | { kind: 'file'; group: FileGroup } | { kind: 'problem'; problem: ProblemInput };

const SEVERITIES: Record<number, ProblemInput['severity']> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'information',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};
const SEVERITY_ICONS: Record<ProblemInput['severity'], vscode.ThemeIcon> = {
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  information: new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground')),
  hint: new vscode.ThemeIcon('lightbulb'),
};

class ProblemsProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  groups: RuleGroup[] = [];

  refresh(): void {
    this.groups = groupProblems(collectProblems());
    this.changed.fire();
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.groups.map((group) => ({ kind: 'rule', group }));
    if (node.kind === 'rule') return node.group.files.map((group) => ({ kind: 'file', group }));
    if (node.kind === 'file') return node.group.problems.map((problem) => ({ kind: 'problem', problem }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'rule') {
      const { label, description } = ruleLabel(node.group);
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
      item.description = description;
      item.iconPath = new vscode.ThemeIcon('law');
      item.contextValue = 'rule';
      return item;
    }
    if (node.kind === 'file') {
      const { label, description } = fileLabel(node.group);
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
      item.description = description;
      item.resourceUri = vscode.Uri.parse(node.group.uri);
      item.iconPath = vscode.ThemeIcon.File;
      return item;
    }
    const { problem } = node;
    const { label, description } = problemLabel(problem);
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.description = description;
    item.tooltip = problem.message;
    item.iconPath = SEVERITY_ICONS[problem.severity];
    const position = new vscode.Position(problem.line, problem.character);
    item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.parse(problem.uri), { selection: new vscode.Range(position, position) }] };
    return item;
  }
}

/** Workerscope's diagnostics across every document VS Code holds diagnostics for. */
function collectProblems(): ProblemInput[] {
  const out: ProblemInput[] = [];
  for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
    for (const d of diagnostics) {
      if (d.source !== 'workerscope' || d.code === undefined) continue;
      const rule = String(typeof d.code === 'object' ? d.code.value : d.code);
      out.push({
        uri: uri.toString(),
        path: vscode.workspace.asRelativePath(uri),
        rule,
        message: d.message,
        line: d.range.start.line,
        character: d.range.start.character,
        severity: SEVERITIES[d.severity] ?? 'warning',
      });
    }
  }
  return out;
}

export function registerProblemsView(context: vscode.ExtensionContext): void {
  const provider = new ProblemsProvider();
  const view = vscode.window.createTreeView(PROBLEMS_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  let timer: NodeJS.Timeout | undefined;
  const refresh = (): void => {
    provider.refresh();
    const total = provider.groups.reduce((n, g) => n + g.count, 0);
    view.badge = total > 0 ? { value: total, tooltip: `${total} parallel-code ${total === 1 ? 'problem' : 'problems'}` } : undefined;
  };
  context.subscriptions.push(
    view,
    // Diagnostics arrive in bursts (a workspace pass publishes file after file): redraw once per burst.
    vscode.languages.onDidChangeDiagnostics(() => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(refresh, REFRESH_DELAY_MS);
    }),
    { dispose: () => timer && clearTimeout(timer) },
  );
  refresh();
}
