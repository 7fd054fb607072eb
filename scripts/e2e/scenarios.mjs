// The end-to-end scenarios: each starts its own code-server and browser, acts as a user would,
// asserts what the user would see, and leaves a screenshot behind.
import assert from 'node:assert/strict';
import { startCodeServer } from './lib/codeServer.mjs';
import { runNeovimSmoke } from './neovim.mjs';
import {
  applyQuickFix,
  goToLine,
  launchBrowser,
  openFile,
  openWorkbench,
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
    name: 'Neovim receives the same diagnostics from dist/server.js',
    async run() {
      const got = runNeovimSmoke();
      assert.ok(got.length >= 3, `expected the three findings, got ${JSON.stringify(got)}`);
    },
  },
];
