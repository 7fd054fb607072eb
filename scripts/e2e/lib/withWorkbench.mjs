// Runs one scenario body against a fresh code-server and browser, keeping a screenshot of what the
// user saw when the body fails.
import { startCodeServer } from './codeServer.mjs';
import { launchBrowser, openWorkbench, screenshot } from './workbench.mjs';

export async function withWorkbench(name, options, body) {
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
