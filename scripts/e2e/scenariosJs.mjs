// End-to-end scenarios for JavaScript and TypeScript documents: what a Node developer sees in the
// editor when a file hands a closure to a worker thread.
import assert from 'node:assert/strict';
import { withWorkbench } from './lib/withWorkbench.mjs';
import { applyQuickFix, filterProblems, goToLine, openFile, screenshot, showProblems, waitFor, waitForProblems } from './lib/workbench.mjs';

const JS_RULES = /unserializable-callable|worker-result-never-settles|unguarded-entry-point|unserializable-argument|unlocked-shared-counter|transferred-buffer-used/;
const rulesIn = (rows) => rows.map((r) => JS_RULES.exec(r)?.[0]).filter(Boolean).sort();

/** The text of the active editor's visible lines, as Monaco renders them. */
async function editorText(page) {
  const text = await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText();
  return text.replace(/\u00a0/g, ' ');
}

export const JS_SCENARIOS = [
  {
    name: 'TypeScript: a closure posted to a worker in the Problems panel, and the quick fix for a Promise that never settles',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('typescript', { vsix, workspaceSource }, async (page) => {
        await openFile(page, 'thumbnails.ts');
        await showProblems(page);
        await filterProblems(page, 'thumbnails.ts');
        const rows = await waitForProblems(page, (r) => rulesIn(r).length >= 2, { what: 'the two Workerscope problems of thumbnails.ts' });
        assert.deepEqual(rulesIn(rows), ['unserializable-callable', 'worker-result-never-settles']);
        const text = rows.join('\n');
        assert.match(text, /Nothing is sent: `onProgress` is an arrow function, which cannot be cloned/);
        assert.match(text, /DataCloneError/);
        // The squiggle sits under the closure in the TypeScript editor.
        await page.locator('.editor-group-container.active .monaco-editor .squiggly-error').first().waitFor({ timeout: 15_000 });
        await screenshot(page, 'typescript-problems');

        await goToLine(page, 14, 5);
        await applyQuickFix(page, 'add `error` and `exit` listeners');
        await waitForProblems(page, (r) => rulesIn(r).join() === 'unserializable-callable', { what: 'the worker-result-never-settles problem to go away' });
        await waitFor(async () => /worker\.on\('error', reject\)/.test(await editorText(page)), { timeoutMs: 10_000, what: "the fix's error listener in the editor" });
        await screenshot(page, 'typescript-after-fix');
      });
    },
  },
];
