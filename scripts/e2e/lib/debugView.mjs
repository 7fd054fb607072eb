// Drives VS Code's debugging UI the way a user would: the Run and Debug side bar (its Call Stack,
// Variables and extension views), the floating debug toolbar, the Debug Console and the Output
// panel. Every wait polls for a visible state with a deadline.
import { runCommand, waitFor } from './workbench.mjs';

/** Opens the Run and Debug side bar (Ctrl+Shift+D) and waits for its panes. */
export async function showRunAndDebug(page) {
  await runCommand(page, 'View: Show Run and Debug');
  await page.locator('.pane-header[aria-label^="Call Stack"]').waitFor({ timeout: 15_000 });
}

/** "Debug: Start Debugging" (F5) with the launch configuration selected in the Run and Debug view. */
export async function startDebugging(page) {
  // Debug commands appear in the palette a few seconds after the workbench loads: runCommand retries.
  await runCommand(page, 'Debug: Start Debugging');
}

/** The floating debug toolbar: visible exactly while a debug session runs. */
export function debugToolbar(page) {
  return page.locator('.debug-toolbar');
}

/**
 * Presses Continue on the debug toolbar until the session ends (the toolbar goes away). While the
 * program runs, the button shows Pause instead, so only a stopped thread is ever continued.
 */
export async function continueToEnd(page, { timeoutMs = 30_000 } = {}) {
  const toolbar = debugToolbar(page);
  await waitFor(async () => {
    if (!(await toolbar.isVisible())) return true;
    const button = toolbar.locator('.action-label.codicon-debug-continue:not(.disabled)');
    if (await button.isVisible()) await button.click({ timeout: 2000 }).catch(() => undefined);
    return false;
  }, { timeoutMs, what: 'the debug session to end after Continue' });
}

/** The `.pane` of the side bar whose header has this title. */
export function pane(page, title) {
  return page.locator('.pane').filter({ has: page.locator(`.pane-header[aria-label^="${title}"]`) });
}

/** Expands a side-bar pane (Worker Failures starts collapsed) and returns it. */
export async function expandPane(page, title) {
  const header = page.locator(`.pane-header[aria-label^="${title}"]`).first();
  await header.waitFor({ timeout: 15_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') {
    await header.click();
    await page.locator(`.pane-header[aria-label^="${title}"][aria-expanded="true"]`).first().waitFor({ timeout: 10_000 });
  }
  return pane(page, title);
}

/** Rows of a tree in a pane, as their accessible labels (`aria-label`) and visible text. */
export async function paneRows(page, title) {
  return pane(page, title)
    .locator('.monaco-list-rows > .monaco-list-row')
    .evaluateAll((rows) =>
      rows
        .map((r) => ({ index: Number(r.dataset.index), label: r.getAttribute('aria-label') ?? '', text: r.innerText ?? '', expanded: r.getAttribute('aria-expanded') }))
        // The list positions its rows absolutely: DOM order is not display order.
        .sort((a, b) => a.index - b.index),
    );
}

/** Polls a pane's rows until `predicate(rows)` holds; returns those rows. */
export async function waitForPaneRows(page, title, predicate, { timeoutMs = 30_000, what } = {}) {
  let rows = [];
  try {
    await waitFor(async () => {
      rows = await paneRows(page, title);
      return predicate(rows);
    }, { timeoutMs, what: what ?? `rows in "${title}"` });
  } catch (error) {
    throw new Error(`${error.message} (last rows: ${JSON.stringify(rows.map((r) => r.label || r.text))})`);
  }
  return rows;
}

/** Expands the tree row whose accessible label or text matches (a scope, a thread, a failure), once visible. */
export async function expandRow(page, title, labelPattern, { timeoutMs = 15_000 } = {}) {
  let rows = [];
  try {
    await waitFor(async () => {
      rows = await paneRows(page, title);
      const found = rows.find((r) => labelPattern.test(r.label) || labelPattern.test(r.text));
      if (!found) return false;
      if (found.expanded === 'true') return true;
      const index = found.index;
      // A collapsed row expands when its twistie is clicked; give it time to load its children
      // before looking again, so a slow expansion is not toggled back.
      const target = pane(page, title).locator(`.monaco-list-rows > .monaco-list-row[data-index="${index}"]`);
      await target.locator('.monaco-tl-twistie').click({ timeout: 2000 });
      await pane(page, title).locator(`.monaco-list-rows > .monaco-list-row[data-index="${index}"][aria-expanded="true"]`).waitFor({ timeout: 5000 }).catch(() => undefined);
      return false;
    }, { timeoutMs, what: `row ${labelPattern} in "${title}" to expand` });
  } catch (error) {
    throw new Error(`${error.message} (last rows: ${JSON.stringify(rows.map((r) => r.label || r.text))})`);
  }
}

/** Lines of text shown in the Debug Console. */
export async function debugConsoleLines(page) {
  return page.locator('.repl .monaco-list-row').evaluateAll((rows) => rows.map((r) => r.innerText ?? ''));
}

/**
 * The lines of the editor shown in the bottom panel (the Output view), each as its rendered token
 * spans: [{ text, cls }] where `cls` is the `mtkN` colour class Monaco gives the token.
 */
export async function panelEditorTokens(page) {
  return page.locator('.part.panel .monaco-editor .view-lines .view-line').evaluateAll((lines) =>
    lines
      .map((line) => ({ top: parseFloat(line.style.top || '0'), spans: [...line.querySelectorAll('span > span')].map((s) => ({ text: s.textContent ?? '', cls: [...s.classList].find((c) => /^mtk\d+$/.test(c)) ?? '' })) }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.spans),
  );
}

/** The channel selected in the Output view's drop-down. */
export async function selectedOutputChannel(page) {
  return page.locator('.part.panel select.monaco-select-box').first().evaluate((s) => s.options[s.selectedIndex]?.text ?? '').catch(() => '');
}
