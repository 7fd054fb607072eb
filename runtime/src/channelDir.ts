/**
 * Makes the tracer's private channel directory where Python's `tempfile` would put temporary
 * files: the first of TMPDIR, TEMP, TMP, /tmp, /var/tmp, /usr/tmp and the working directory in
 * which a new 0700 directory owned by the user can be made. A `TMPDIR` naming a missing
 * directory, a file or an unwritable directory must not stop a program that runs fine plainly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where to try, in Python's `tempfile._candidate_tempdir_list` order (POSIX). */
export function tempCandidates(env: NodeJS.ProcessEnv, cwd: string): string[] {
  const found: string[] = [];
  for (const name of ['TMPDIR', 'TEMP', 'TMP']) {
    const value = env[name];
    if (value) found.push(value);
  }
  found.push('/tmp', '/var/tmp', '/usr/tmp', cwd);
  return [...new Set(found.map((dir) => path.resolve(cwd, dir)))];
}

export type ChannelDir = { dir: string } | { error: string };

/** A fresh directory only this user can enter, or why none could be made anywhere. */
export function makeChannelDir(env: NodeJS.ProcessEnv, cwd: string): ChannelDir {
  const tried: string[] = [];
  for (const base of tempCandidates(env, cwd)) {
    let dir: string | undefined;
    try {
      dir = fs.mkdtempSync(path.join(base, 'workerscope-'));
      fs.chmodSync(dir, 0o700);
      // Made by us just now, but the check is cheap and the channel's privacy is the point.
      const st = fs.lstatSync(dir);
      const uid = process.getuid?.();
      if (!st.isDirectory() || (st.mode & 0o077) !== 0 || (uid !== undefined && st.uid !== uid)) throw new Error('not private');
      return { dir };
    } catch (error) {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      tried.push(`${base} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  return { error: `no private temporary directory could be made (tried ${tried.join(', ')})` };
}

/**
 * Removes the channel directory: renamed first, so that a process of the program still running
 * (an orphaned worker) can create no new file in it by path while it is emptied (the final
 * rmdir would fail and leave it behind); then its files one by one (faster than a recursive
 * rm), then itself.
 */
export function removeChannel(dir: string): void {
  let doomed = `${dir}.removing`;
  try {
    fs.renameSync(dir, doomed);
  } catch {
    doomed = dir;
  }
  try {
    for (const entry of fs.readdirSync(doomed, { withFileTypes: true })) {
      const item = path.join(doomed, entry.name);
      if (entry.isDirectory()) fs.rmSync(item, { recursive: true, force: true });
      else fs.unlinkSync(item);
    }
    fs.rmdirSync(doomed);
  } catch {
    fs.rmSync(doomed, { recursive: true, force: true, maxRetries: 3 });
  }
}
