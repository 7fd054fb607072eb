/** The Timeline page: a strict CSP, its one script by nonce, nothing remote. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { nonce, pageHtml } from '../../src/timeline/page';

test('the page allows only its own nonce-tagged script and styles and loads nothing remote', () => {
  const n = nonce();
  assert.match(n, /^[0-9a-f]{32}$/);
  assert.notEqual(nonce(), n);
  const html = pageHtml('https://file+.vscode-resource.vscode-cdn.net', 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/timeline-webview.js', n);
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.match(csp, /^default-src 'none'; /);
  assert.match(csp, new RegExp(`script-src 'nonce-${n}';`));
  assert.match(csp, new RegExp(`style-src 'nonce-${n}';`));
  assert.doesNotMatch(csp, /unsafe-(inline|eval)/);
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
  assert.deepEqual(scripts, [` nonce="${n}" src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/timeline-webview.js"`]);
  const urls = [...html.matchAll(/https?:\/\/[^\s"')]+/g)].map((m) => m[0]).filter((u) => !u.startsWith('https://file+.vscode-resource'));
  assert.deepEqual(urls, [], 'no remote resource');
  assert.match(html, /<canvas id="timeline"/);
});
