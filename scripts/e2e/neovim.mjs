// Neovim LSP smoke test: proves the built server works outside VS Code. Headless Neovim starts
// dist/server.js with vim.lsp.start_client, opens a sample file and must receive the same
// diagnostics (rule ids) as `workerscope check` reports for it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function runNeovimSmoke() {
  const file = path.resolve('test-fixtures/workspace/three_bugs.py');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'workerscope-nvim-'));
  const out = path.join(dir, 'result.json');
  try {
    const nvim = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-c', `luafile ${path.resolve('scripts/e2e/nvim-smoke.lua')}`], {
      env: { ...process.env, WORKERSCOPE_SMOKE_FILE: file, WORKERSCOPE_SMOKE_SERVER: path.resolve('dist/server.js'), WORKERSCOPE_SMOKE_OUT: out, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    let result;
    try {
      result = JSON.parse(readFileSync(out, 'utf8'));
    } catch {
      throw new Error(`Neovim wrote no result (status ${nvim.status}, signal ${nvim.signal}): ${nvim.stderr}${nvim.stdout}`);
    }
    if (result.error) throw new Error(`Neovim: ${result.error}`);
    const check = spawnSync(process.execPath, ['dist/cli.js', 'check', '--format', 'json', file], { encoding: 'utf8' });
    const expected = JSON.parse(check.stdout).map((f) => `${f.line}:${f.rule}`).sort();
    const got = result.diagnostics.map((d) => `${d.line}:${d.code}`).sort();
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      throw new Error(`Neovim diagnostics ${JSON.stringify(got)} differ from workerscope check ${JSON.stringify(expected)}`);
    }
    return got;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
