/** Launch configuration resolution for the `workerscope` debugger, without an editor. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { dynamicConfigurations, NO_PROGRAM_MESSAGE, resolveLaunchConfiguration, UNTRUSTED_MESSAGE, type ResolveContext } from '../src/debug/configuration';

const trusted: ResolveContext = { trusted: true, activePythonFile: '/ws/crash.py', workspaceFolder: '/ws' };

test('an untrusted workspace is refused with a clear message, whatever the configuration', async () => {
  for (const config of [{}, { type: 'workerscope', request: 'launch', name: 'x', program: '/ws/a.py' }, { report: '/ws/r.json' }]) {
    assert.deepEqual(await resolveLaunchConfiguration(config, { ...trusted, trusted: false }), { kind: 'error', message: UNTRUSTED_MESSAGE });
  }
});

test('F5 without launch.json traces the active Python file with the defaults', async () => {
  const result = await resolveLaunchConfiguration({}, trusted);
  assert.deepEqual(result, {
    kind: 'ok',
    config: { type: 'workerscope', request: 'launch', name: 'Workerscope: trace crash.py', program: '/ws/crash.py', cwd: '/ws', python: 'python3', stopOnWorkerFailure: true },
  });
});

test('without a program and no active Python file the launch is refused', async () => {
  const result = await resolveLaunchConfiguration({ type: 'workerscope', request: 'launch', name: 'x' }, { trusted: true });
  assert.deepEqual(result, { kind: 'error', message: NO_PROGRAM_MESSAGE });
});

test('python: the launch configuration, else the setting, else the Python extension, else python3', async () => {
  const ext = async (): Promise<string> => '/venv/bin/python';
  const pick = async (config: object, ctx: Partial<ResolveContext>): Promise<unknown> => {
    const r = await resolveLaunchConfiguration(config, { ...trusted, ...ctx });
    return r.kind === 'ok' ? r.config.python : r;
  };
  assert.equal(await pick({ python: '/usr/bin/python3.12' }, { interpreterSetting: '/opt/py', pythonFromExtension: ext }), '/usr/bin/python3.12');
  assert.equal(await pick({}, { interpreterSetting: '/opt/py', pythonFromExtension: ext }), '/opt/py');
  assert.equal(await pick({}, { interpreterSetting: '  ', pythonFromExtension: ext }), '/venv/bin/python');
  assert.equal(await pick({}, { pythonFromExtension: async () => undefined }), 'python3');
  assert.equal(await pick({}, { pythonFromExtension: async () => { throw new Error('extension broke'); } }), 'python3');
});

test('explicit values are kept: stopOnWorkerFailure false, cwd, args', async () => {
  const result = await resolveLaunchConfiguration({ type: 'workerscope', request: 'launch', name: 'mine', program: '/a/b.py', stopOnWorkerFailure: false, cwd: '/tmp', args: ['1'] }, trusted);
  assert.equal(result.kind, 'ok');
  if (result.kind !== 'ok') return;
  assert.equal(result.config.name, 'mine');
  assert.equal(result.config.stopOnWorkerFailure, false);
  assert.equal(result.config.cwd, '/tmp');
  assert.deepEqual(result.config.args, ['1']);
});

test('a report configuration needs no program nor interpreter', async () => {
  const result = await resolveLaunchConfiguration({ type: 'workerscope', request: 'launch', report: '/ws/out/report.json' }, { trusted: true });
  assert.deepEqual(result, { kind: 'ok', config: { type: 'workerscope', request: 'launch', name: 'Workerscope: open report.json', report: '/ws/out/report.json' } });
});

test('configurations written into a new launch.json hold no absolute path', () => {
  const configs = dynamicConfigurations(['/ws/src/a.py', '/elsewhere/b.py', '/ws/c.py'], '/ws');
  assert.deepEqual(configs.map((c) => c.program), ['${workspaceFolder}/src/a.py', '${file}', '${workspaceFolder}/c.py']);
  assert.deepEqual(dynamicConfigurations(['/ws/a.py'], '').map((c) => c.program), ['${file}'], 'no folder: the current file');
});

test('dynamic configurations: one per open Python file, without duplicates', () => {
  const configs = dynamicConfigurations(['/ws/a.py', '/ws/b.py', '/ws/a.py']);
  assert.deepEqual(configs.map((c) => [c.name, c.program]), [['Workerscope: trace a.py', '/ws/a.py'], ['Workerscope: trace b.py', '/ws/b.py']]);
});

test('timeline: true becomes a file the editor chose; a path or false is kept; without a folder true is left to the adapter', async () => {
  const pick = async (timeline: unknown, newTimelineFile?: () => string | undefined): Promise<unknown> => {
    const r = await resolveLaunchConfiguration({ type: 'workerscope', request: 'launch', name: 'x', program: '/ws/a.py', timeline } as object, { ...trusted, newTimelineFile });
    return r.kind === 'ok' ? r.config.timeline : r;
  };
  assert.equal(await pick(true, () => '/store/timelines/timeline-20261208-011502.json'), '/store/timelines/timeline-20261208-011502.json');
  assert.equal(await pick('/ws/run.json', () => '/store/x.json'), '/ws/run.json');
  assert.equal(await pick(false, () => '/store/x.json'), false);
  assert.equal(await pick(undefined, () => '/store/x.json'), undefined);
  assert.equal(await pick(true, () => undefined), true);
});
