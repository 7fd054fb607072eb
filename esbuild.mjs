// Builds the bundles (client, language server, debug adapter, CLI, the JS/TS engine they load
// on demand, and the Timeline webview's script) into dist/ and copies
// the tree-sitter .wasm files next to them. Flags: --watch rebuilds on change, --production minifies.
import * as esbuild from 'esbuild';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// web-tree-sitter's ESM build reads import.meta.url, which is empty in a CommonJS bundle;
// its CommonJS build locates files through __dirname instead, so bundle that one.
const treeSitterCjs = require.resolve('web-tree-sitter').replace(/\.js$/, '.cjs');

const wasmFiles = [
  path.join(path.dirname(require.resolve('web-tree-sitter')), 'web-tree-sitter.wasm'),
  require.resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm'),
];

/** The dispatcher's `import('./check.js')` and `import('./run.js')` load the command bundles. */
const commandBundles = {
  name: 'command-bundles',
  setup(build) {
    build.onResolve({ filter: /^\.\/(check|run)\.js$/ }, (args) =>
      args.importer.endsWith(path.join('cli', 'main.ts')) ? { path: `./cli-${args.path.slice(2, -3)}.js`, external: true } : undefined,
    );
  },
};

/**
 * `import('../analysisJs.js')` in the analysis worker and in `check` loads dist/engine-js.js: the
 * TypeScript compiler inside ts-morph is megabytes of code that Python analysis never parses.
 */
const jsEngineBundle = {
  name: 'js-engine-bundle',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/analysisJs\.js$/ }, () => ({ path: './engine-js.js', external: true }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  alias: { 'web-tree-sitter': treeSitterCjs },
  define: { WORKERSCOPE_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
};

const builds = [
  { entryPoints: { client: 'client/src/extension.ts' }, external: ['vscode'] },
  { entryPoints: { server: 'server/src/lsp/main.ts' }, plugins: [jsEngineBundle], supported: { 'dynamic-import': false } },
  { entryPoints: { debugAdapter: 'debug-adapter/src/debugAdapter.ts' }, external: ['vscode'] },
  // Each command in a bundle of its own, required by the dispatcher when it runs (not imported:
  // Node's ESM loader costs more than it saves): `workerscope run` compiles no analysis engine.
  { entryPoints: { cli: 'server/src/cli/main.ts' }, plugins: [commandBundles], supported: { 'dynamic-import': false } },
  { entryPoints: { 'cli-check': 'server/src/cli/check.ts', 'cli-run': 'server/src/cli/run.ts' }, plugins: [jsEngineBundle], supported: { 'dynamic-import': false } },
  { entryPoints: { 'engine-js': 'server/src/analysisJs.ts' } },
  // The Timeline panel's page script: runs in the webview (a browser), loads nothing else.
  { entryPoints: { 'timeline-webview': 'client/src/timeline/webview/main.ts' }, platform: 'browser', format: 'iife', target: 'es2020' },
];

mkdirSync('dist', { recursive: true });
for (const file of wasmFiles) copyFileSync(file, path.join('dist', path.basename(file)));

// The stdlib-only tracer travels as source: the runtime puts dist/python on the program's PYTHONPATH.
rmSync('dist/python', { recursive: true, force: true });
mkdirSync('dist/python', { recursive: true });
copyFileSync(path.join('debug-adapter', 'python', 'workerscope_supervise.py'), path.join('dist', 'python', 'workerscope_supervise.py'));
for (const dir of ['workerscope_tracer', 'bootstrap']) {
  const from = path.join('debug-adapter', 'python', dir);
  if (!existsSync(from)) continue;
  cpSync(from, path.join('dist', 'python', dir), {
    recursive: true,
    filter: (src) => !src.includes('__pycache__') && !src.endsWith('.pyc'),
  });
}

// The Node tracer is plain CommonJS preloaded into the program (NODE_OPTIONS --require): copied as it is.
rmSync('dist/node', { recursive: true, force: true });
cpSync(path.join('debug-adapter', 'node'), path.join('dist', 'node'), { recursive: true, filter: (src) => !src.includes(`${path.sep}test`) });

const contexts = await Promise.all(
  builds.map((b) => esbuild.context({ ...common, ...b, outdir: 'dist' })),
);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
