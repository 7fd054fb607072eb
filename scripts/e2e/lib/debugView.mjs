// The Run and Debug side bar as a user sees it: starting a session, the Call Stack, Variables,
// the Worker Failures view, and continuing to the end. Waits poll with deadlines.
import { runCommand, waitFor } from './workbench.mjs';

const rowsText = (page, selector) => page.locator(selector).evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));

/** Starts the selected launch configuration; retries while debug contributions are still loading. */
export async function startDebugging(page) {
  await runCommand(page, 'Debug: Start Debugging');
  await page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 30_000 });
}

export async function showRunAndDebug(page) {
  await runCommand(page, 'View: Show Run and Debug');
  await page.locator('.debug-call-stack').first().waitFor({ timeout: 15_000 });
}

export function callStackRows(page) {
  return rowsText(page, '.debug-call-stack .monaco-list-row');
}

/** Expands a thread in the Call Stack (a stopped thread is not always expanded for us). */
export async function expandThread(page, name) {
  const row = page.locator('.debug-call-stack .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ timeout: 15_000 });
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
}

export function variableRows(page) {
  return rowsText(page, '.debug-variables .monaco-list-row');
}

/** Expands a collapsed scope (Variables' "Locals" starts collapsed) and waits for its children. */
export async function expandScope(page, name) {
  const row = page.locator('.debug-variables .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ timeout: 15_000 });
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.click();
  await waitFor(async () => (await row.getAttribute('aria-expanded')) === 'true', { timeoutMs: 10_000, what: `${name} to expand` });
}

/** Presses Continue until the session ends (the debug toolbar goes away). */
export async function continueToEnd(page, { timeoutMs = 60_000 } = {}) {
  await waitFor(async () => {
    if (!(await page.locator('.debug-toolbar').isVisible())) return true;
    const button = page.locator('.debug-toolbar .action-label.codicon-debug-continue');
    if (await button.isVisible() && !(await button.getAttribute('class'))?.includes('disabled')) await button.click();
    return false;
  }, { timeoutMs, what: 'the debug session to end' });
}

/**
 * Opens the Worker Failures view (it starts collapsed below Breakpoints), expands the session
 * nodes, and lists the rows' text.
 */
export async function failureViewRows(page) {
  const header = page.locator('.pane-header', { hasText: 'Worker Failures' }).first();
  await header.waitFor({ timeout: 10_000 });
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  const rows = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Worker Failures' }) }).locator('.monaco-list-row');
  const count = await rows.count();
  for (let i = 0; i < count; i++) {
    const row = rows.nth(i);
    if ((await row.getAttribute('aria-level')) === '1' && (await row.getAttribute('aria-expanded')) === 'false') await row.click();
  }
  return rows.evaluateAll((list) => list.map((r) => r.textContent ?? ''));
}
