// Drives the VS Code workbench in Chromium the way a user would: the command palette, Quick Open,
// the Problems panel, the light bulb. Every wait polls for a visible state with a deadline.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { CACHE, waitFor } from './codeServer.mjs';

const require = createRequire(path.join(CACHE, 'playwright', 'package.json'));

export const SCREENSHOTS = path.resolve('out', 'e2e', 'screenshots');

export async function launchBrowser() {
  const { chromium } = require('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'workerscope-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // Closing the browser also removes its throwaway profile (Chromium may still be flushing it).
  const close = context.close.bind(context);
  context.close = async () => {
    await close();
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      // A leftover temp folder is not worth failing a scenario for.
    }
  };
  return context;
}

export async function openWorkbench(context, url) {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  // The status bar appears once the workbench has restored its parts.
  await page.waitForSelector('.statusbar', { timeout: 60_000 });
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

async function pickFromQuickInput(page, text, matches, { timeoutMs = 30_000 } = {}) {
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  // Short timeouts: the widget can close under us (focus moving to a stopped debug location), and
  // the caller's retry loop reopens it.
  await input.fill(text, { timeout: 3000 });
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: matches });
  await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
  await row.first().click({ timeout: 3000 });
}

/** Runs a command from the palette by its label; retries while contributions are still loading. */
export async function runCommand(page, label, { timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    try {
      await pickFromQuickInput(page, `>${label}`, label, { timeoutMs: 3000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`command "${label}" never appeared in the palette: ${error.message}`);
    }
  }
}

/** Opens a workspace file by Quick Open; `editor` is what shows it loaded (a notebook's first cell, say). */
export async function openFile(page, name, { editor = '.monaco-editor .view-lines', timeoutMs = 15_000 } = {}) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  await pickFromQuickInput(page, name, name);
  await page.locator(`.tab.active[aria-label*="${name}"]`).waitFor({ timeout: 15_000 });
  await page.locator(editor).first().waitFor({ timeout: timeoutMs });
}

/** Rows of the Problems panel as displayed: message, then `workerscope(rule-id)` and the position. */
export async function problemRows(page) {
  return page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));
}

export async function showProblems(page) {
  await runCommand(page, 'Problems: Focus on Problems View');
  await page.locator('.markers-panel').waitFor({ timeout: 15_000 });
}

/**
 * Shows only the problems whose file path matches `text` (the panel's own filter box): with
 * workspace diagnostics the panel holds every file's findings, not only the open file's.
 */
export async function filterProblems(page, text) {
  const input = page.locator('.markers-panel-container, .part.panel').getByPlaceholder(/^Filter \(e\.g\./).first();
  await input.waitFor({ timeout: 15_000 });
  await input.fill(text);
  // The panel applies the filter after a pause: wait until every file row shown is a matching one
  // (file rows are the ones without a position).
  await waitFor(async () => (await problemRows(page)).filter((row) => !/\[Ln \d+/.test(row)).every((row) => row.includes(text)), { timeoutMs: 10_000, what: `the Problems filter "${text}"` });
  // Leave the box: an Escape pressed later (to close a widget) would clear the filter.
  await input.blur();
}

/** Empties the filter box of the view shown in the panel (Problems and Output share what was typed). */
export async function clearPanelFilter(page) {
  const input = page.locator('.part.panel').getByPlaceholder(/^Filter/);
  await waitFor(async () => {
    for (const box of await input.all()) if (await box.isVisible()) await box.fill('');
    const values = await Promise.all((await input.all()).map(async (box) => ((await box.isVisible()) ? box.inputValue() : '')));
    return values.every((v) => v === '');
  }, { timeoutMs: 10_000, what: 'the panel filter to be empty' });
}

export async function waitForProblems(page, predicate, { timeoutMs = 30_000, what = 'problems' } = {}) {
  let rows = [];
  await waitFor(async () => {
    rows = await problemRows(page);
    return predicate(rows);
  }, { timeoutMs, what: `${what} (last rows: ${JSON.stringify(rows)})` });
  return rows;
}

/** Moves the cursor with "Go to Line/Column…". */
export async function goToLine(page, line, column = 1) {
  await page.keyboard.press('Escape');
  // Focus the editor first: after using a panel, keys would go to the panel.
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
}

/** Opens the quick-fix menu at the cursor and applies the action whose title matches. */
export async function applyQuickFix(page, title, { timeoutMs = 20_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+.');
    const item = page.locator('.action-widget .monaco-list-row', { hasText: title });
    try {
      await item.first().waitFor({ state: 'visible', timeout: 3000 });
      await item.first().click();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`quick fix "${title}" not offered: ${error.message}`);
    }
  }
}

export { waitFor };
