// End-to-end scenarios for what a new user sees on a finding: its hover, the quick-fix menu, and
// a quick fix that writes another file (a notebook function moved to a module beside it).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { withWorkbench } from './lib/withWorkbench.mjs';
import { filterProblems, openFile, screenshot, showProblems, waitFor, waitForProblems } from './lib/workbench.mjs';

const NOTEBOOK_EDITOR = '.notebook-editor .cell-editor-container .monaco-editor .view-lines';

export const EDITOR_SCENARIOS = [
  {
    name: 'a notebook finding: its short hover, the quick-fix menu, and moving the function to a module beside the notebook',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('notebook-move', { vsix, workspaceSource }, async (page, server) => {
        await openFile(page, 'pool_notebook.ipynb', { editor: NOTEBOOK_EDITOR, timeoutMs: 60_000 });
        await showProblems(page);
        await filterProblems(page, 'pool_notebook.ipynb');
        await waitForProblems(page, (r) => r.some((row) => /Pool hangs: its spawn workers die loading a task defined in a notebook/.test(row)), { timeoutMs: 60_000, what: 'the notebook function finding' });

        // `square` where the spawn pool gets it, in the third cell: its squiggle marks the word.
        const squiggle = page.locator('.notebook-editor .cell-editor-container', { hasText: 'pool.map(square' }).locator('.squiggly-error').first();
        await squiggle.waitFor({ timeout: 15_000 });
        const box = await squiggle.boundingBox();
        assert.ok(box, 'the squiggle is on screen');
        const word = { x: box.x + box.width / 2, y: box.y + box.height / 2 - 4 };
        const token = { hover: () => page.mouse.move(word.x, word.y), click: () => page.mouse.click(word.x, word.y) };

        // The hover: the finding's own message, a sentence of why and the rule's page; no essay.
        await token.hover();
        const hover = page.locator('.monaco-hover:visible', { hasText: 'Pool hangs' });
        await hover.first().waitFor({ timeout: 15_000 });
        const hoverText = (await hover.first().innerText()).replace(/\s+/g, ' ');
        assert.match(hoverText, /unserializable-callable/);
        assert.doesNotMatch(hoverText, /What it does|Why is this bad/);
        // VS Code shows the finding's message; Workerscope's own part is the rule and a short why.
        const own = /unserializable-callable\s+— (.*)$/.exec(hoverText)?.[1] ?? '';
        assert.ok(own.length > 0, `the rule's short why in the hover: ${hoverText}`);
        assert.ok(own.split(' ').length < 90, `a short why: ${own.split(' ').length} words`);
        await screenshot(page, 'hover-on-finding');

        // The quick-fix menu on the same token.
        // (No Escape to close the hover: in a notebook it leaves the cell's editor.)
        await page.mouse.move(word.x, word.y + 200);
        await token.click();
        await page.keyboard.press('Control+.');
        const move = page.locator('.action-widget .monaco-list-row', { hasText: 'Move `square` to pool_notebook_tasks.py beside the notebook' });
        await move.first().waitFor({ timeout: 20_000 });
        await screenshot(page, 'quick-fix-menu');
        await move.first().click();

        // The module is created beside the notebook; the cell imports it; the finding goes.
        const module = path.join(server.workspace, 'pool_notebook_tasks.py');
        await waitFor(async () => existsSync(module), { timeoutMs: 15_000, what: 'pool_notebook_tasks.py created beside the notebook' });
        await page.locator('.notebook-editor .view-line', { hasText: 'from pool_notebook_tasks import square' }).first().waitFor({ timeout: 15_000 });
        await waitForProblems(page, (r) => !r.some((row) => /Pool hangs/.test(row)), { timeoutMs: 30_000, what: 'the notebook function finding to go away' });
        await screenshot(page, 'notebook-after-move-fix');
        // The file on disk may still be empty until saved: the editor holds the moved function.
        assert.ok(existsSync(module) && typeof readFileSync(module, 'utf8') === 'string');
      });
    },
  },
];
