/** `workerscope run` option checks: a timeout must be a positive number of seconds, refused before anything runs. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/cli/args';
import { runTraced, RUN_USAGE } from '../../src/cli/run';

const io = { out: (): void => undefined, err: (): void => undefined, version: 'test' };

for (const option of ['--hang-timeout', '--stall-timeout']) {
  for (const bad of ['0', '-2', 'soon', '']) {
    test(`${option} ${JSON.stringify(bad)} is a usage error naming the option`, async () => {
      // The program does not exist: were the option accepted, the run would fail another way.
      await assert.rejects(runTraced([option, bad, '--', '/nonexistent/never-run.py'], io), (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.equal(error.message, `${option} needs a positive number of seconds, not "${bad}"`);
        return true;
      });
    });
  }
  test(`${option} without a value is a usage error`, async () => {
    await assert.rejects(runTraced([option], io), UsageError);
  });
}

test('--help documents --stall-timeout', async () => {
  let out = '';
  const status = await runTraced(['--help'], { ...io, out: (text: string) => { out += text; } });
  assert.equal(status, 0);
  assert.equal(out, `${RUN_USAGE}\n`);
  assert.match(RUN_USAGE, /\[--stall-timeout S\]/);
  assert.match(RUN_USAGE, /--stall-timeout S {3}report a stall and end the run \(status 124\)/);
});

test('--runtime accepts python or node only, refused before anything runs', async () => {
  await assert.rejects(runTraced(['--runtime', 'ruby', '--', '/nonexistent/never-run.rb'], io), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.message, '--runtime is python or node, not "ruby"');
    return true;
  });
  assert.match(RUN_USAGE, /-- node \[node options\] app\.js/);
});
