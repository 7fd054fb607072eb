/**
 * Decides whether a file's text is fit to analyse: binary content and oversized files are
 * refused with a clear reason instead of being parsed. Shared by the language server and the CLI.
 */

/** Larger files are skipped: parsing stays fast, but findings in generated megabyte files are noise. */
export const MAX_ANALYSED_CHARS = 4 * 1024 * 1024;

export type InputVerdict = { ok: true } | { ok: false; reason: string };

export function checkAnalysable(text: string): InputVerdict {
  if (text.length > MAX_ANALYSED_CHARS) {
    const mb = (text.length / (1024 * 1024)).toFixed(1);
    return { ok: false, reason: `file is ${mb} MB, larger than the ${MAX_ANALYSED_CHARS / (1024 * 1024)} MB Workerscope analyses` };
  }
  // A NUL character never occurs in Python source; it marks a binary file opened by mistake.
  if (text.includes('\0')) return { ok: false, reason: 'file contains NUL bytes (binary content), not Python source' };
  return { ok: true };
}
