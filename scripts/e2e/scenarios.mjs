// The end-to-end scenarios: each starts its own code-server and browser, acts as a user would,
// asserts what the user would see, and leaves a screenshot behind.
import assert from 'node:assert/strict';
import { startCodeServer } from './lib/codeServer.mjs';
import { callStackRows, continueToEnd, expandScope, expandThread, failureViewRows, showRunAndDebug, startDebugging, variableRows } from './lib/debugView.mjs';
import { runNeovimSmoke } from './neovim.mjs';
import {
  applyQuickFix,
  goToLine,
  runCommand,
  waitFor,
  launchBrowser,
  openFile,
  openWorkbench,
  problemRows,
  screenshot,
  showProblems,
  waitForProblems,
} from './lib/workbench.mjs';

async function withWorkbench(name, options, body) {
  const server = await startCodeServer(options);
  let context;
  let page;
  try {
    context = await launchBrowser();
    page = await openWorkbench(context, server.url);
    await body(page, server);
  } catch (error) {
    // What the user would have seen when it went wrong is the most useful artifact.
    if (page) await screenshot(page, `${name}-failure`).catch(() => undefined);
    throw error;
  } finally {
    await context?.close().catch(() => undefined);
    server.stop();
  }
}

const rulesIn = (rows) => rows.map((r) => /unguarded-entry-point|unserializable-callable|unserializable-argument|unlocked-shared-counter/.exec(r)?.[0]).filter(Boolean).sort();

export const SCENARIOS = [
  {
    name: 'diagnostics in the Problems panel and the main-guard quick fix',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('problems', { vsix, workspaceSource }, async (page) => {
        await openFile(page, 'three_bugs.py');
        await showProblems(page);
        const rows = await waitForProblems(page, (r) => rulesIn(r).length >= 3, { what: 'three Workerscope problems' });
        await screenshot(page, 'problems-panel');
        assert.deepEqual(rulesIn(rows), ['unguarded-entry-point', 'unlocked-shared-counter', 'unserializable-callable']);
        await goToLine(page, 23, 1);
        await applyQuickFix(page, '__main__');
        await waitForProblems(page, (r) => !rulesIn(r).includes('unguarded-entry-point') && rulesIn(r).length === 2, { what: 'the unguarded-entry-point problem to go away' });
        await screenshot(page, 'after-main-guard-fix');
      });
    },
  },
  {
    name: 'debugging a crashing pool stops in the worker; Worker Failures view and coloured trace output',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('debug', { vsix, workspaceSource }, async (page) => {
        await openFile(page, 'crashing_pool.py');
        await startDebugging(page);
        await showRunAndDebug(page);
        // The Call Stack lists the failing worker as a thread, and the editor marks the raising line.
        let stack = [];
        await waitFor(async () => {
          stack = await callStackRows(page);
          return stack.some((r) => /PoolWorker-\d+ \(pid \d+\)\s*ValueError/.test(r));
        }, { timeoutMs: 30_000, what: `the stopped pool worker, badged ValueError, in the Call Stack (rows: ${JSON.stringify(stack)})` });
        await expandThread(page, /PoolWorker-\d+ \(pid \d+\)\s*ValueError/);
        await waitFor(async () => {
          stack = await callStackRows(page);
          return stack.some((r) => /parse_record/.test(r));
        }, { timeoutMs: 15_000, what: `the worker's frame parse_record in the Call Stack (rows: ${JSON.stringify(stack)})` });
        await page.locator('.debug-top-stack-frame-line').first().waitFor({ timeout: 15_000 });
        await waitFor(async () => /Ln 7,/.test((await page.locator('.statusbar').textContent()) ?? ''), { timeoutMs: 10_000, what: 'the cursor on the raising line 7' });
        await expandScope(page, 'Locals');
        let vars = [];
        await waitFor(async () => {
          vars = await variableRows(page);
          return vars.some((r) => /\bline\b.*'plum,n\/a'/.test(r));
        }, { timeoutMs: 15_000, what: `the local line = 'plum,n/a' in Variables (rows: ${JSON.stringify(vars)})` });
        await screenshot(page, 'debug-stopped-in-worker');

        await continueToEnd(page);
        // The failure stays listed in the Worker Failures view after the session.
        let failures = [];
        await waitFor(async () => {
          failures = await failureViewRows(page);
          return failures.some((r) => /ValueError/.test(r));
        }, { timeoutMs: 15_000, what: `ValueError in the Worker Failures view (rows: ${JSON.stringify(failures)})` });
        assert.ok(failures.some((r) => /PoolWorker/.test(r)), `the failing worker is named: ${JSON.stringify(failures)}`);
        await screenshot(page, 'worker-failures-view');

        // The trace output channel shows the summary, with the exception type coloured apart from plain text.
        await runCommand(page, 'Output: Show Output Channels...');
        const input = page.locator('.quick-input-widget input.input');
        await input.fill('Workerscope Trace');
        await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Workerscope Trace' }).first().click();
        const output = page.locator('.panel .output-view, .panel [id="workbench.panel.output"]').first();
        let text = '';
        await waitFor(async () => {
          text = (await output.locator('.view-lines').textContent()) ?? '';
          return /ValueError/.test(text) && /PoolWorker/.test(text);
        }, { timeoutMs: 15_000, what: `the summary in the Workerscope Trace output (text: ${text.slice(0, 300)})` });
        const classes = await output.locator('.view-lines span[class^="mtk"]').evaluateAll((spans) => spans.map((s) => [s.textContent, s.className]));
        const typeClass = classes.find(([t]) => t?.includes('ValueError'))?.[1];
        const plainClass = classes.find(([t]) => t?.includes('task'))?.[1] ?? classes[0]?.[1];
        assert.ok(typeClass && typeClass !== plainClass, `ValueError is coloured (${typeClass}) unlike plain text (${plainClass})`);
        await screenshot(page, 'trace-output-channel');
      });
    },
  },
  {
    name: 'an untrusted workspace gets diagnostics but no debugging',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('untrusted', { vsix, workspaceSource, trusted: false }, async (page) => {
        await openFile(page, 'three_bugs.py');
        await showProblems(page);
        await waitForProblems(page, (r) => rulesIn(r).length >= 3, { what: 'Workerscope problems in restricted mode' });
        await runCommand(page, 'Debug: Start Debugging');
        let toasts = [];
        await waitFor(async () => {
          toasts = await page.locator('.notifications-toasts .notification-toast, .monaco-dialog-box').evaluateAll((n) => n.map((e) => e.textContent ?? ''));
          return toasts.some((t) => /trust|restricted/i.test(t));
        }, { timeoutMs: 20_000, what: `a message refusing to debug (toasts: ${JSON.stringify(toasts)})` });
        await screenshot(page, 'untrusted-debugging-refused');
        // Declining to trust the folder leaves the program unrun and the diagnostics in place.
        await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Cancel' }).click();
        await page.locator('.monaco-dialog-box').waitFor({ state: 'hidden', timeout: 10_000 });
        assert.equal(await page.locator('.debug-toolbar').isVisible(), false, 'no debug session started');
        assert.equal(rulesIn(await problemRows(page)).length, 3);
      });
    },
  },
  {
    name: 'Neovim receives the same diagnostics from dist/server.js',
    async run() {
      const got = runNeovimSmoke();
      assert.ok(got.length >= 3, `expected the three findings, got ${JSON.stringify(got)}`);
    },
  },
];
