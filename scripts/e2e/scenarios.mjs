// The end-to-end scenarios: each starts its own code-server and browser, acts as a user would,
// asserts what the user would see, and leaves a screenshot behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  continueToEnd,
  debugConsoleLines,
  debugToolbar,
  expandPane,
  expandRow,
  pane,
  paneRows,
  panelEditorTokens,
  selectedOutputChannel,
  showRunAndDebug,
  startDebugging,
  waitForPaneRows,
} from './lib/debugView.mjs';
import { runNeovimSmoke } from './neovim.mjs';
import { EDITOR_SCENARIOS } from './scenariosEditor.mjs';
import { JS_SCENARIOS } from './scenariosJs.mjs';
import { TIMELINE_SCENARIOS } from './scenariosTimeline.mjs';
import { WORKSPACE_SCENARIOS } from './scenariosWorkspace.mjs';
import { withWorkbench } from './lib/withWorkbench.mjs';
import {
  applyQuickFix,
  clearPanelFilter,
  filterProblems,
  goToLine,
  openFile,
  problemRows,
  runCommand,
  screenshot,
  showProblems,
  waitFor,
  waitForProblems,
} from './lib/workbench.mjs';

/** The Call Stack thread of the pool worker whose task raised: `ForkPoolWorker-N (pid N)`, stopped on ValueError. */
const FAILED_WORKER = /^Thread (ForkPoolWorker-\d+ \(pid \d+\)) ValueError$/;
/** The same thread in a report session: its name also says how its process ended. */
const FAILED_WORKER_ENDED = /^Thread ForkPoolWorker-\d+ \(pid \d+\) — .* ValueError$/;

/**
 * Opens crashing_pool.py, starts the `workerscope` configuration of .vscode/launch.json from the
 * Run and Debug view, and waits until the debugger stops in the worker whose task raised.
 * Returns the worker's thread name as the Call Stack shows it.
 */
async function debugCrashingPoolUntilStopped(page) {
  await openFile(page, 'crashing_pool.py');
  await showRunAndDebug(page);
  await startDebugging(page);
  const threads = await waitForPaneRows(page, 'Call Stack', (rows) => rows.some((r) => FAILED_WORKER.test(r.label)), { what: 'a ForkPoolWorker thread stopped on ValueError in the Call Stack' });
  return FAILED_WORKER.exec(threads.find((r) => FAILED_WORKER.test(r.label)).label)[1];
}

/** The vertical position of line `line` of the active editor, from its line number in the gutter. */
async function lineNumberTop(page, line) {
  const number = page.locator('.editor-group-container.active .monaco-editor .margin-view-overlays .line-numbers').filter({ hasText: new RegExp(`^${line}$`) });
  return (await number.first().boundingBox())?.y;
}

const rulesIn = (rows) => rows.map((r) => /unguarded-entry-point|unserializable-callable|unserializable-argument|unlocked-shared-counter/.exec(r)?.[0]).filter(Boolean).sort();

export const SCENARIOS = [
  {
    name: 'diagnostics in the Problems panel and the main-guard quick fix',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('problems', { vsix, workspaceSource }, async (page) => {
        await openFile(page, 'three_bugs.py');
        await showProblems(page);
        await filterProblems(page, 'three_bugs.py');
        const rows = await waitForProblems(page, (r) => rulesIn(r).length >= 3, { what: 'three Workerscope problems' });
        await screenshot(page, 'problems-panel');
        assert.deepEqual(rulesIn(rows), ['unguarded-entry-point', 'unlocked-shared-counter', 'unserializable-callable']);
        await goToLine(page, 23, 1);
        await applyQuickFix(page, '__main__');
        await waitForProblems(page, (r) => !rulesIn(r).includes('unguarded-entry-point') && rulesIn(r).length === 2, { what: 'the unguarded-entry-point problem to go away' });
        await screenshot(page, 'after-main-guard-fix');

        // It shows that it is working: the language status item on a Python file, and the output channel.
        await page.locator('.statusbar-item[id="status.languageStatus"] a, #status\\.languageStatus a').first().click();
        const statusHover = page.locator('.monaco-hover, .context-view').filter({ hasText: 'traced runs use' });
        await waitFor(async () => /server running · traced runs use \S/.test((await statusHover.first().innerText().catch(() => '')).replace(/\s+/g, ' ')), { timeoutMs: 15_000, what: 'the Workerscope language status item (server running, interpreter)' });
        await screenshot(page, 'language-status');
        await page.keyboard.press('Escape');
        await runCommand(page, 'Workerscope: Show Output');
        // The Problems filter's text carries over to the Output view's filter: clear it before reading the log.
        await clearPanelFilter(page);
        await waitFor(async () => {
          const lines = (await panelEditorTokens(page)).map((spans) => spans.map((t) => t.text).join('').replace(/\u00a0/g, ' '));
          return lines.some((l) => /Workerscope \d+\.\d+\.\d+ activated/.test(l)) && lines.some((l) => /Language server running/.test(l));
        }, { timeoutMs: 15_000, what: 'the version and the server start in the Workerscope output channel' });
        await screenshot(page, 'output-channel-started');
      });
    },
  },
  {
    name: 'debugging a crashing pool stops in the failing worker',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('debug-crashing-pool', { vsix, workspaceSource }, async (page) => {
        const worker = await debugCrashingPoolUntilStopped(page);

        // The editor shows the exception where the worker raised it: line 7, `price = float(fields[1])`.
        const widget = page.locator('.exception-widget');
        await widget.waitFor({ timeout: 15_000 });
        const widgetText = await widget.innerText();
        assert.match(widgetText, /ValueError/);
        assert.match(widgetText, /parse_record\('plum,n\/a'\)/);
        assert.match(widgetText, new RegExp(`worker: ${worker.replace(/[()]/g, '\\$&')}`));
        // Each fact once (the message, the task), and the traceback with its source lines, as Python prints it.
        const once = (fact) => assert.equal(widgetText.split(fact).length - 1, 1, `${fact} once in the exception widget: ${JSON.stringify(widgetText)}`);
        once("could not convert string to float: 'n/a'");
        once("parse_record('plum,n/a')");
        assert.match(widgetText, /line 7, in parse_record\s+price = float\(fields\[1\]\)/);
        const topFrameLine = page.locator('.editor-group-container.active .monaco-editor .debug-top-stack-frame-line');
        await topFrameLine.first().waitFor({ timeout: 15_000 });
        await waitFor(async () => {
          const highlighted = (await topFrameLine.first().boundingBox())?.y;
          const line7 = await lineNumberTop(page, 7);
          return highlighted !== undefined && line7 !== undefined && Math.abs(highlighted - line7) < 2;
        }, { timeoutMs: 10_000, what: 'the top stack frame highlight on line 7' });
        const highlightedText = await page.locator('.editor-group-container.active .monaco-editor .view-line').evaluateAll((lines, top) => {
          const hit = lines.find((l) => Math.abs(l.getBoundingClientRect().y - top) < 2);
          return hit?.textContent?.replace(/\u00a0/g, ' ').trim();
        }, await topFrameLine.first().boundingBox().then((b) => b.y));
        assert.equal(highlightedText, 'price = float(fields[1])');

        // The Call Stack opens the stopped worker on the task's frame.
        await expandRow(page, 'Call Stack', FAILED_WORKER);
        await waitForPaneRows(page, 'Call Stack', (rows) => rows.some((r) => /parse_record/.test(r.label) && /crashing_pool\.py/.test(r.label + r.text) && /\b7\b/.test(r.label + r.text)), { what: 'the parse_record frame at crashing_pool.py:7' });

        // The task's locals: "Locals" starts collapsed.
        await expandRow(page, 'Variables', /^Scope Locals$/);
        const vars = await waitForPaneRows(page, 'Variables', (rows) => rows.some((r) => r.label === "line, value 'plum,n/a'"), { what: "line = 'plum,n/a' in Locals" });
        assert.ok(vars.some((r) => r.label === "fields, value ['plum', 'n/a']"), `fields in Locals: ${JSON.stringify(vars.map((r) => r.label))}`);
        await screenshot(page, 'debug-stopped-in-worker');

        // Continue: the pool re-raises in the main process and the program exits with status 1.
        await continueToEnd(page);
        await runCommand(page, 'Debug Console: Focus on Debug Console View');
        let lines = [];
        await waitFor(async () => {
          lines = await debugConsoleLines(page);
          return lines.some((l) => /workerscope: 1 failure, 0 races \(exit code 1\)/.test(l));
        }, { timeoutMs: 15_000, what: 'the run summary with exit code 1 in the Debug Console' }).catch((error) => {
          throw new Error(`${error.message} (Debug Console: ${JSON.stringify(lines)})`);
        });
        assert.ok(lines.some((l) => /ValueError: could not convert string to float: 'n\/a'/.test(l)), `the traceback in the Debug Console: ${JSON.stringify(lines)}`);
        await screenshot(page, 'debug-session-ended');
      });
    },
  },
  {
    name: 'Worker Failures view, kept across a reload, and the Workerscope Trace output on request',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('worker-failures', { vsix, workspaceSource }, async (page) => {
        const worker = await debugCrashingPoolUntilStopped(page);
        const workerName = worker.replace(/ \(pid \d+\)$/, '');
        await continueToEnd(page);

        // Worker Failures (Run and Debug side bar): the session, by program and time, and under it the failure.
        await expandPane(page, 'Worker Failures');
        const sessionLabel = /^crashing_pool\.py · \d\d:\d\d:\d\d/;
        await expandRow(page, 'Worker Failures', sessionLabel);
        // A row's text is its label followed by its description: short enough for the side bar.
        const failureRow = /^ValueError\s*could not convert string to float: 'n\/a'/;
        const rows = await waitForPaneRows(page, 'Worker Failures', (r) => r.some((row) => failureRow.test(row.text)), { what: 'the ValueError row in Worker Failures' });
        const session = rows.find((r) => sessionLabel.test(r.text));
        assert.match(session.text, /1 failure\b/);
        await expandRow(page, 'Worker Failures', failureRow);
        await waitForPaneRows(page, 'Worker Failures', (r) => r.some((row) => row.text.trim() === `in ${worker}`) && r.some((row) => /^task __main__\.parse_record\('plum,n\/a'\) \[item 2\]/.test(row.text.trim())), { what: `the worker (${workerName}) and the task under the failure` });
        // The view's badge on the Run and Debug icon: this run's one failure.
        const badge = page.locator('.activitybar .action-item:has(.codicon-run-view-icon) .badge-content, .activitybar .action-item[aria-label^="Run and Debug"] .badge-content');
        await waitFor(async () => (await badge.first().innerText().catch(() => '')).trim() === '1', { timeoutMs: 10_000, what: 'the badge 1 on Run and Debug' });
        await screenshot(page, 'worker-failures-view');

        // The run left the panel to the Debug Console: the trace channel did not take it.
        assert.equal(await page.locator('.part.panel .repl').first().isVisible(), true, 'the Debug Console is still the panel shown');
        assert.notEqual(await selectedOutputChannel(page), 'Workerscope Trace', 'the trace channel did not come forward by itself');
        await screenshot(page, 'debug-console-kept-after-failing-run');

        // The user asks for the trace: "Workerscope: Show Trace Summary" shows the summary, coloured by the grammar.
        await runCommand(page, 'Workerscope: Show Trace Summary');
        await waitFor(async () => (await selectedOutputChannel(page)) === 'Workerscope Trace', { timeoutMs: 15_000, what: 'the Workerscope Trace channel in the Output view' });
        let tokens = [];
        const text = () => tokens.map((spans) => spans.map((s) => s.text).join('').replace(/\u00a0/g, ' '));
        // Monaco shows a line first as one plain span, then as its coloured tokens: wait for those.
        await waitFor(async () => {
          tokens = await panelEditorTokens(page);
          return text().some((l) => /^\s*ValueError: could not convert string to float: 'n\/a'/.test(l)) && tokens.some((spans) => spans.some((span) => span.text === 'ValueError'));
        }, { timeoutMs: 15_000, what: 'the summary in the Workerscope Trace output, coloured' }).catch((error) => {
          throw new Error(`${error.message} (output: ${JSON.stringify(text())})`);
        });
        const shown = text();
        // Long lines wrap in the panel (also inside paths), continuing indented: check those on the
        // whole text without its white space.
        const compact = shown.join('').replace(/\s+/g, '');
        assert.match(compact, /^---Workerscope:Workerscope:tracecurrentfile·\d{4}-\d\d-\d\d\d\d:\d\d:\d\d---/, `session header: ${JSON.stringify(shown)}`);
        assert.ok(shown.some((l) => l === 'workerscope: 1 failure, 0 races (exit code 1)'), `headline: ${JSON.stringify(shown)}`);
        assert.ok(shown.some((l) => l.startsWith(`[1] task raised in ${worker}`)), `failure line: ${JSON.stringify(shown)}`);
        assert.match(compact, /task:__main__\.parse_record\('plum,n\/a'\)\[item2\]submittedat\S*\/crashing_pool\.py:14/, `task line: ${JSON.stringify(shown)}`);
        assert.match(compact, /atparse_record\(\S*\/crashing_pool\.py:7\)/, `frame line: ${JSON.stringify(shown)}`);
        // Colour: Monaco renders each token as a span with an `mtkN` class; mtk1 is the plain foreground.
        const exceptionLine = tokens.find((spans) => spans.some((s) => s.text === 'ValueError'));
        const exceptionType = exceptionLine.find((s) => s.text === 'ValueError');
        const message = exceptionLine.find((s) => /could not convert/.test(s.text));
        assert.notEqual(exceptionType.cls, 'mtk1', `ValueError is coloured: ${JSON.stringify(exceptionLine)}`);
        assert.notEqual(exceptionType.cls, message?.cls, `ValueError stands out from its message: ${JSON.stringify(exceptionLine)}`);
        const headline = tokens.find((spans) => spans.map((s) => s.text).join('').startsWith('workerscope:'));
        assert.notEqual(headline.find((s) => s.text === 'workerscope').cls, 'mtk1', `the headline keyword is coloured: ${JSON.stringify(headline)}`);
        await screenshot(page, 'trace-output-channel');

        // A window reload keeps the failures, as the README promises.
        await runCommand(page, 'Developer: Reload Window');
        await page.waitForSelector('.monaco-workbench .statusbar', { timeout: 60_000 });
        await showRunAndDebug(page);
        await expandPane(page, 'Worker Failures');
        await expandRow(page, 'Worker Failures', sessionLabel, { timeoutMs: 30_000 });
        const restored = await waitForPaneRows(page, 'Worker Failures', (r) => r.some((row) => failureRow.test(row.text)), { what: 'the failure in Worker Failures after the reload' });
        assert.match(restored.find((r) => sessionLabel.test(r.text)).text, /1 failure\b(?!.*running)/);
        await screenshot(page, 'worker-failures-after-reload');
      });
    },
  },
  {
    // Needs the session to send `workerscope/race` (debug-adapter/src/session.ts).
    name: 'races found with detectRaces are listed in Worker Failures',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('races', { vsix, workspaceSource }, async (page, server) => {
        // The workspace's configuration, with race detection on.
        const launch = path.join(server.workspace, '.vscode', 'launch.json');
        const config = JSON.parse(readFileSync(launch, 'utf8'));
        config.configurations[0].detectRaces = true;
        writeFileSync(launch, JSON.stringify(config, null, 2));
        await openFile(page, 'unlocked_counter.py');
        await showRunAndDebug(page);
        await startDebugging(page);
        await expandPane(page, 'Worker Failures');
        await expandRow(page, 'Worker Failures', /^unlocked_counter\.py · \d\d:\d\d:\d\d/, { timeoutMs: 60_000 });
        const rows = await waitForPaneRows(page, 'Worker Failures', (r) => r.some((row) => /^race: counter\s*unlocked_counter\.py:7$/.test(row.text.trim())), { what: 'the race on counter at unlocked_counter.py:7' });
        assert.match(rows.find((r) => /^unlocked_counter\.py/.test(r.text)).text, /0 failures · 1 race/);
        // Its row opens the line of the unlocked update.
        await pane(page, 'Worker Failures').locator('.monaco-list-row', { hasText: 'race: counter' }).first().click();
        await waitFor(async () => (await page.locator('.statusbar').innerText()).includes('Ln 7,'), { timeoutMs: 10_000, what: 'the cursor on line 7' });
        await screenshot(page, 'worker-failures-race');
      });
    },
  },
  {
    name: 'a saved report: the Call Stack says how each process ended',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('report-threads', { vsix, workspaceSource }, async (page, server) => {
        // A report of crashing_pool.py saved by the tracer, opened by a launch configuration.
        const report = path.join(server.workspace, 'crashing-report.json');
        const run = spawnSync('python3', ['-m', 'workerscope_tracer', '--no-summary', '--report', report, '--', path.join(server.workspace, 'crashing_pool.py')], {
          env: { ...process.env, PYTHONPATH: path.resolve('dist', 'python') }, encoding: 'utf8', timeout: 60_000,
        });
        assert.ok(existsSync(report), `the tracer wrote the report: ${run.stderr}`);
        writeFileSync(path.join(server.workspace, '.vscode', 'launch.json'), JSON.stringify({
          version: '0.2.0',
          configurations: [{ type: 'workerscope', request: 'launch', name: 'Workerscope: open the saved report', report: '${workspaceFolder}/crashing-report.json' }],
        }, null, 2));
        await openFile(page, 'crashing_pool.py');
        await showRunAndDebug(page);
        await startDebugging(page);
        const ended = / — (exited -?\d+|killed by SIG[A-Z]+|ended)\b/;
        const threads = await waitForPaneRows(page, 'Call Stack', (rows) => rows.some((r) => FAILED_WORKER_ENDED.test(r.label)) && rows.filter((r) => /^Thread /.test(r.label)).length >= 3, { what: 'the failed worker and the other processes in the Call Stack' });
        for (const row of threads.filter((r) => /^Thread /.test(r.label))) {
          assert.match(row.label, ended, `how ${row.label} ended`);
          // Needs the session's post-mortem stops to name every thread (allThreadsStopped): none runs.
          assert.doesNotMatch(row.label, /\bRunning$/i, `a process of a saved report is not running: ${row.label}`);
        }
        assert.ok(threads.some((r) => /^Thread main \(pid \d+\) — exited 1\b/.test(r.label)), `main exited 1: ${JSON.stringify(threads.map((r) => r.label))}`);
        await screenshot(page, 'report-threads-ended');
        await continueToEnd(page);
      });
    },
  },
  {
    name: 'a breakpoint set in the gutter stops a pool worker in its task',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('breakpoint-in-worker', { vsix, workspaceSource }, async (page) => {
        await openFile(page, 'crashing_pool.py');
        // Click the glyph margin beside line 7 (`price = float(fields[1])`), as a user sets a breakpoint.
        const number = page.locator('.editor-group-container.active .monaco-editor .margin-view-overlays .line-numbers').filter({ hasText: /^7$/ }).first();
        await number.waitFor({ timeout: 15_000 });
        const box = await number.boundingBox();
        const glyphs = await page.locator('.editor-group-container.active .monaco-editor .glyph-margin').first().boundingBox();
        await page.mouse.click(glyphs.x + glyphs.width / 2, box.y + box.height / 2);
        await page.locator('.editor-group-container.active .monaco-editor .codicon-debug-breakpoint').first().waitFor({ timeout: 10_000 });

        await showRunAndDebug(page);
        await startDebugging(page);
        // The first task to reach line 7 stops its worker there: the Call Stack names the worker, paused on the breakpoint.
        const threads = await waitForPaneRows(page, 'Call Stack', (rows) => rows.some((r) => /ForkPoolWorker-\d+ \(pid \d+\)/.test(r.label) && /breakpoint/i.test(r.label + r.text)), { what: 'a ForkPoolWorker thread paused on the breakpoint' });
        const stopped = threads.find((r) => /ForkPoolWorker-\d+ \(pid \d+\)/.test(r.label) && /breakpoint/i.test(r.label + r.text));
        await expandRow(page, 'Call Stack', new RegExp(stopped.label.replace(/[()[\]\\.*+?^$|{}]/g, '\\$&')));
        await waitForPaneRows(page, 'Call Stack', (rows) => rows.some((r) => /parse_record/.test(r.label) && /\b7\b/.test(r.label + r.text)), { what: 'the parse_record frame at line 7' });
        await expandRow(page, 'Variables', /^Scope Locals$/);
        await waitForPaneRows(page, 'Variables', (rows) => rows.some((r) => /^line, value '[a-z]+,[^']*'$/.test(r.label)) && rows.some((r) => /^fields, value \[/.test(r.label)), { what: "the task's line and fields in Locals" });
        await screenshot(page, 'breakpoint-in-worker');

        // Step Over on the toolbar: the worker runs line 7 and stops on line 8, with `price` in Locals
        // (or, for the task that fails there, at its ValueError).
        const line = (await paneRows(page, 'Variables')).find((r) => /^line, value '/.test(r.label))?.label ?? '';
        await debugToolbar(page).locator('.action-label.codicon-debug-step-over:not(.disabled)').click({ timeout: 10_000 });
        if (/plum,n\/a/.test(line)) {
          await waitForPaneRows(page, 'Call Stack', (rows) => rows.some((r) => /ValueError/.test(r.label)), { what: 'the failing task stopped at its ValueError after the step' });
        } else {
          await waitForPaneRows(page, 'Call Stack', (rows) => rows.some((r) => /parse_record/.test(r.label) && /\b8\b/.test(r.label + r.text)), { what: 'the parse_record frame on line 8 after Step Over' });
          await expandRow(page, 'Variables', /^Scope Locals$/);
          await waitForPaneRows(page, 'Variables', (rows) => rows.some((r) => /^price, value [0-9.]+$/.test(r.label)), { what: 'price in Locals after Step Over' });
          await screenshot(page, 'step-over-in-worker');
        }

        // Continue past the other tasks' stops and the failing task: the run ends.
        await continueToEnd(page, { timeoutMs: 60_000 });
      });
    },
  },
  {
    name: 'an uncaught exception in the main process stops where it was raised, before the program ends',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('uncaught-in-main', { vsix, workspaceSource }, async (page) => {
        await openFile(page, 'main_crash.py');
        await showRunAndDebug(page);
        await startDebugging(page);
        // With only the main process left, VS Code lists its frames without a thread row.
        await waitForPaneRows(page, 'Call Stack', (rows) => rows.some((r) => /average/.test(r.label)), { what: 'the main process stopped in average' });
        const widget = page.locator('.exception-widget');
        await widget.waitFor({ timeout: 15_000 });
        const widgetText = await widget.innerText();
        assert.match(widgetText, /KeyError/);
        assert.match(widgetText, /'min'/);
        assert.match(widgetText, /line 11, in average\s+return sum\(results\) \/ limits\["min"\]/);
        await waitForPaneRows(page, 'Call Stack', (rows) => rows.some((r) => /average/.test(r.label) && /\b11\b/.test(r.label + r.text)), { what: 'the average frame on line 11' });
        await expandRow(page, 'Variables', /^Scope Locals$/);
        await waitForPaneRows(page, 'Variables', (rows) => rows.some((r) => /^results, value \[0, 1, 4, 9, 16\]$/.test(r.label)), { what: "average's results in Locals" });
        assert.equal(await debugToolbar(page).isVisible(), true, 'the session is still there: the program waits');
        await screenshot(page, 'uncaught-in-main');
        await continueToEnd(page, { timeoutMs: 60_000 });
      });
    },
  },
  {
    name: 'a notebook: the cells of a .ipynb get their findings, and none that is untrue of a kernel',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('notebook', { vsix, workspaceSource }, async (page) => {
        // The notebook editor renders its cells after the notebook has loaded: slower than a text file.
        await openFile(page, 'pool_notebook.ipynb', { editor: '.notebook-editor .cell-editor-container .monaco-editor .view-lines', timeoutMs: 60_000 });
        await showProblems(page);
        await filterProblems(page, 'pool_notebook.ipynb');
        const rows = await waitForProblems(page, (r) => r.filter((row) => /unserializable-callable/.test(row)).length >= 2, { timeoutMs: 60_000, what: 'the two unserializable-callable findings of the notebook' });
        const text = rows.join('\n');
        assert.match(text, /Pool hangs: its spawn workers die loading a task defined in a notebook\. `square` is defined in the notebook/);
        assert.match(text, /Task fails before it runs: a lambda cannot be pickled/);
        // Workers of a kernel re-run no cell: no main-guard finding in a notebook.
        assert.doesNotMatch(text, /unguarded-entry-point/);
        // The squiggle is drawn in the cell itself.
        await page.locator('.notebook-editor .cell-editor-container .squiggly-error').first().waitFor({ timeout: 15_000 });
        await screenshot(page, 'notebook-cell-diagnostic');
      });
    },
  },
  {
    name: 'console: integratedTerminal runs the program in a terminal where input() reads what is typed',
    async run({ vsix, workspaceSource }) {
      // The fixture workspace, with a program that asks for input and a configuration that runs it in the terminal.
      const source = mkdtempSync(path.join(os.tmpdir(), 'ws-e2e-console-'));
      cpSync(workspaceSource, source, { recursive: true });
      writeFileSync(path.join(source, 'greet_pool.py'), [
        'from multiprocessing import Pool',
        '',
        '',
        'def shout(word):',
        '    return word.upper()',
        '',
        '',
        'if __name__ == "__main__":',
        '    name = input("Your name? ")',
        '    with Pool(2) as pool:',
        '        print("Hello,", " ".join(pool.map(shout, name.split())))',
        '',
      ].join('\n'));
      writeFileSync(path.join(source, '.vscode', 'launch.json'), JSON.stringify({
        version: '0.2.0',
        configurations: [{ type: 'workerscope', request: 'launch', name: 'Workerscope: in the terminal', program: '${file}', console: 'integratedTerminal', internalConsoleOptions: 'neverOpen' }],
      }, null, 2));
      // The DOM renderer: the terminal's text is then in the page to be read.
      const settings = { 'terminal.integrated.gpuAcceleration': 'off' };
      try {
        await withWorkbench('console-terminal', { vsix, workspaceSource: source, settings }, async (page) => {
          // Quick Open can be slow to list a file on a busy machine: retried, as a user would.
          await waitFor(async () => openFile(page, 'greet_pool.py').then(() => true, () => false), { timeoutMs: 90_000, what: 'greet_pool.py open in the editor' });
          await showRunAndDebug(page);
          await startDebugging(page);
          const rows = page.locator('.terminal-wrapper.active .xterm-rows');
          const terminalText = async () => (await rows.allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
          // As the snippet has it, the Debug Console stays shut: the terminal is in view (else under its tab).
          const terminalTab = page.locator('.part.panel .composite-bar .action-label', { hasText: /^Terminal$/ });
          await waitFor(async () => {
            if (!(await rows.first().isVisible())) await terminalTab.first().click({ timeout: 2000 }).catch(() => undefined);
            return /Your name\? *$/m.test(await terminalText());
          }, { timeoutMs: 60_000, what: 'the program asking for a name in the terminal' });
          await screenshot(page, 'console-terminal-asks');
          await page.locator('.terminal-wrapper.active .xterm').click();
          await page.keyboard.type('ada lovelace');
          await page.keyboard.press('Enter');
          await waitFor(async () => /Hello, ADA LOVELACE/.test(await terminalText()), { timeoutMs: 30_000, what: 'the pool\'s answer in the terminal' });
          await waitFor(async () => !(await debugToolbar(page).isVisible()), { timeoutMs: 30_000, what: 'the debug session to end' });
          await screenshot(page, 'console-integrated-terminal');
          await runCommand(page, 'Debug Console: Focus on Debug Console View');
          let lines = [];
          await waitFor(async () => {
            lines = await debugConsoleLines(page);
            return lines.some((l) => /workerscope: no worker failures \(3 processes traced, exit code 0\)/.test(l));
          }, { timeoutMs: 15_000, what: 'the run summary in the Debug Console' }).catch((error) => {
            throw new Error(`${error.message} (Debug Console: ${JSON.stringify(lines)})`);
          });
          assert.ok(!lines.some((l) => /Hello, ADA/.test(l)), 'the program\'s output went to the terminal, not the Debug Console');
          await screenshot(page, 'console-summary');
        });
      } finally {
        rmSync(source, { recursive: true, force: true });
      }
    },
  },
  ...EDITOR_SCENARIOS,
  ...JS_SCENARIOS,
  ...WORKSPACE_SCENARIOS,
  ...TIMELINE_SCENARIOS,
  {
    name: 'untrusted workspace: diagnostics yes, debugging refused',
    async run({ vsix, workspaceSource }) {
      await withWorkbench('untrusted', { vsix, workspaceSource, trusted: false }, async (page) => {
        await page.locator('.statusbar', { hasText: 'Restricted Mode' }).waitFor({ timeout: 15_000 });
        await openFile(page, 'three_bugs.py');
        await showProblems(page);
        await filterProblems(page, 'three_bugs.py');
        const rows = await waitForProblems(page, (r) => rulesIn(r).length >= 3, { what: 'three Workerscope problems in restricted mode' });
        assert.deepEqual(rulesIn(rows), ['unguarded-entry-point', 'unlocked-shared-counter', 'unserializable-callable']);

        await startDebugging(page);
        // VS Code asks for trust before any debug configuration is resolved; the user declines.
        const dialog = page.locator('.monaco-dialog-box');
        await dialog.waitFor({ timeout: 15_000 });
        const dialogText = await dialog.innerText();
        assert.match(dialogText, /Do you trust the authors of the files in this folder\?/);
        assert.match(dialogText, /Debugging executes build tasks and program code from your workspace/);
        await screenshot(page, 'untrusted-debugging-refused');
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
        assert.equal(await debugToolbar(page).isVisible(), false, 'no debug session started');
        assert.equal(await page.locator('.statusbar', { hasText: 'Restricted Mode' }).isVisible(), true, 'still in Restricted Mode');
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
