// End-to-end scenarios for the whole workspace: findings of files the user never opened, grouped
// by rule in the Parallel Problems view, and followed as they are fixed.
import assert from 'node:assert/strict';
import { expandPane, paneRows, waitForPaneRows } from './lib/debugView.mjs';
import { withWorkbench } from './lib/withWorkbench.mjs';
import { applyQuickFix, goToLine, openFile, runCommand, screenshot, waitFor } from './lib/workbench.mjs';

const VIEW = 'Parallel Problems';
const LAMBDA_FILE = /^lambda_task\.py/;
const DEPENDANT_FILE = /^run_jobs\.py/;

export const WORKSPACE_SCENARIOS = [
  {
    name: 'workspace: a file never opened shows its finding in Parallel Problems, grouped by rule; fixing it takes it away',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('workspace', { vsix, workspaceSource }, async (page) => {
        await runCommand(page, 'View: Show Explorer');
        await expandPane(page, VIEW);
        // The workspace pass runs when the extension starts (the folder holds Python files): no file is opened.
        // Errors first, then the commoner rules: the Python and TypeScript files' unpicklable callables lead.
        const rows = await waitForPaneRows(page, VIEW, (r) => /^unserializable-callable ?4 problems in 4 files$/.test(r[0]?.text.replace(/\s+/g, ' ').trim() ?? '') && r.some((row) => LAMBDA_FILE.test(row.text)), {
          timeoutMs: 60_000,
          what: 'unserializable-callable with its four files (lambda_task.py, run_jobs.py, three_bugs.py, thumbnails.ts) in Parallel Problems',
        });
        const texts = rows.map((r) => r.text.replace(/\s+/g, ' ').trim());
        assert.equal(await page.locator('.editor-group-container .tabs-container .tab').count(), 0, 'no editor was opened');
        await screenshot(page, 'parallel-problems-view');

        // Clicking the finding opens the file at its line; the quick fix there takes it away.
        const finding = texts.findIndex((t) => LAMBDA_FILE.test(t)) + 1;
        assert.match(texts[finding] ?? '', /^Task fails before it runs: a lambda cannot be pickled\. ?line 7$/);
        await page.locator('.pane .monaco-list-rows > .monaco-list-row').filter({ hasText: 'Task fails before it runs' }).filter({ hasText: 'line 7' }).first().click();
        await page.locator('.tab.active', { hasText: 'lambda_task.py' }).waitFor({ timeout: 15_000 });
        await goToLine(page, 7, 37);
        await applyQuickFix(page, 'Turn the lambda into a module-level function');
        await runCommand(page, 'File: Save');
        await waitFor(async () => !(await paneRows(page, VIEW)).some((row) => LAMBDA_FILE.test(row.text)), { timeoutMs: 30_000, what: 'lambda_task.py to leave Parallel Problems once fixed' });
        await screenshot(page, 'parallel-problems-after-fix');
      });
    },
  },
  {
    name: 'workspace: a finding in a file never opened, caused by another module, goes away when that module is fixed',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('workspace-dependants', { vsix, workspaceSource }, async (page) => {
        await runCommand(page, 'View: Show Explorer');
        await expandPane(page, VIEW);
        // run_jobs.py (never opened) sends `work` from jobs.py to a pool; jobs.py makes it a lambda.
        await waitForPaneRows(page, VIEW, (r) => r.some((row) => DEPENDANT_FILE.test(row.text)), { timeoutMs: 60_000, what: 'run_jobs.py in Parallel Problems' });
        await openFile(page, 'jobs.py');
        // `work = lambda x: x * 2` becomes the module-level function: unsaved, then saved.
        await goToLine(page, 8, 1);
        await page.keyboard.press('Shift+End');
        await page.keyboard.type('work = double');
        await waitFor(async () => !(await paneRows(page, VIEW)).some((row) => DEPENDANT_FILE.test(row.text)), { timeoutMs: 30_000, what: 'run_jobs.py to leave Parallel Problems once jobs.py is fixed (unsaved)' });
        assert.equal(await page.locator('.tab', { hasText: 'run_jobs.py' }).count(), 0, 'run_jobs.py was never opened');
        await runCommand(page, 'File: Save');
        await screenshot(page, 'parallel-problems-dependant-fixed');
      });
    },
  },
];
