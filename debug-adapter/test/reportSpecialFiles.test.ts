/**
 * A saved report is read only from a regular file and only up to a size limit: the built adapter
 * answers a launch on /dev/zero, a FIFO, a directory or a huge file at once with a clear error,
 * and stays responsive (disconnect included).
 */
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadReport, REPORT_SIZE_LIMIT } from '../../runtime/src/report';
import { withSession } from './support/dapSession';

const ANSWER_MS = 10_000;

describe('special files as reports', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workerscope-special-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const refuse = (name: string, file: () => string, message: RegExp): Promise<void> => test(name, () => withSession(async (s) => {
    const started = Date.now();
    await assert.rejects(s.launch({ report: file() }), message);
    assert.ok(Date.now() - started < ANSWER_MS, 'answered at once');
    assert.deepEqual((await s.dc.threadsRequest()).body.threads, [], 'the adapter still answers');
    await s.dc.disconnectRequest({});
  }, ANSWER_MS * 2));

  refuse('/dev/zero is refused as a character device, not read', () => '/dev/zero', /could not open the trace report: \/dev\/zero is not a regular file \(it is a character device\)/);

  refuse('a FIFO with no writer is refused without blocking', () => {
    const fifo = path.join(tmp, 'report.fifo');
    const made = spawnSync('mkfifo', [fifo]);
    assert.equal(made.status, 0, String(made.stderr));
    return fifo;
  }, /report\.fifo is not a regular file \(it is a FIFO\)/);

  refuse('a directory is refused', () => tmp, /is not a regular file \(it is a directory\)/);

  refuse('a file over the size limit is refused before it is read', () => {
    const huge = path.join(tmp, 'huge.json');
    fs.writeFileSync(huge, '');
    fs.truncateSync(huge, REPORT_SIZE_LIMIT + 1); // sparse: costs no disk
    return huge;
  }, /huge\.json is larger than 64 MiB/);

  refuse('bytes that are not UTF-8 are refused', () => {
    const bad = path.join(tmp, 'latin1.json');
    fs.writeFileSync(bad, Buffer.concat([Buffer.from('{"version": 1, "program": "caf'), Buffer.from([0xe9]), Buffer.from('.py"}')]));
    return bad;
  }, /latin1\.json is not UTF-8 text/);

  refuse('a missing file names the file', () => path.join(tmp, 'nope.json'), /cannot read .*nope\.json: ENOENT/);

  test('a smaller limit is honoured, and a file within it reads whole', () => {
    const file = path.join(tmp, 'limit.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, program: 'x'.repeat(2000) }));
    assert.throws(() => loadReport(file, 1000), /limit\.json is larger than/);
    assert.equal(loadReport(file, 4000).program.length, 2000);
  });
});
