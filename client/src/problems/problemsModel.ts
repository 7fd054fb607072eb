/**
 * The "Parallel Problems" view's model: Workerscope's findings grouped by rule, then by file, then
 * one row per finding, with the counts each row shows. Plain data in, plain data out (no editor
 * API), so the grouping and wording are tested without VS Code.
 */

export interface ProblemInput {
  /** The document's URI as a string, and a path to show for it. */
  readonly uri: string;
  readonly path: string;
  readonly rule: string;
  readonly message: string;
  /** Zero-based, as LSP and VS Code count. */
  readonly line: number;
  readonly character: number;
  readonly severity: 'error' | 'warning' | 'information' | 'hint';
}

export interface RuleGroup {
  readonly rule: string;
  readonly count: number;
  readonly files: FileGroup[];
}

export interface FileGroup {
  readonly rule: string;
  readonly uri: string;
  readonly path: string;
  readonly problems: ProblemInput[];
}

const SEVERITY_ORDER = { error: 0, warning: 1, information: 2, hint: 3 } as const;

/** Rules sorted by their most severe finding, then by count and id; files by path; findings by position. */
export function groupProblems(problems: readonly ProblemInput[]): RuleGroup[] {
  const byRule = new Map<string, Map<string, ProblemInput[]>>();
  for (const p of problems) {
    const files = byRule.get(p.rule) ?? new Map<string, ProblemInput[]>();
    byRule.set(p.rule, files);
    const list = files.get(p.uri) ?? [];
    files.set(p.uri, list);
    list.push(p);
  }
  const groups = [...byRule].map(([rule, files]): RuleGroup & { worst: number } => {
    const fileGroups = [...files].map(([uri, list]): FileGroup => ({
      rule,
      uri,
      path: list[0]!.path,
      problems: [...list].sort((a, b) => a.line - b.line || a.character - b.character),
    }));
    fileGroups.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const all = fileGroups.flatMap((f) => f.problems);
    return { rule, count: all.length, files: fileGroups, worst: Math.min(...all.map((p) => SEVERITY_ORDER[p.severity])) };
  });
  groups.sort((a, b) => a.worst - b.worst || b.count - a.count || (a.rule < b.rule ? -1 : 1));
  return groups.map(({ rule, count, files }) => ({ rule, count, files }));
}

/** What a row says: the rule with its count, the file with its count, the finding's first sentence and line. */
export function ruleLabel(group: RuleGroup): { label: string; description: string } {
  return { label: group.rule, description: `${group.count} ${group.count === 1 ? 'problem' : 'problems'} in ${group.files.length} ${group.files.length === 1 ? 'file' : 'files'}` };
}

export function fileLabel(group: FileGroup): { label: string; description: string } {
  const slash = group.path.lastIndexOf('/');
  const base = group.path.slice(slash + 1);
  const dir = slash > 0 ? group.path.slice(0, slash) : '';
  return { label: base, description: `${dir ? `${dir} · ` : ''}${group.problems.length}` };
}

export function problemLabel(problem: ProblemInput): { label: string; description: string } {
  const end = problem.message.indexOf('. ');
  const first = end > 0 ? problem.message.slice(0, end + 1) : problem.message;
  return { label: first, description: `line ${problem.line + 1}` };
}
