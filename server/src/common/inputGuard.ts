/**
 * Decides whether a file's text is fit to analyse: binary content and oversized files are
 * refused with a clear reason instead of being parsed. Shared by the language server and the CLI.
 */

/** Larger files are skipped: parsing stays fast, but findings in generated megabyte files are noise. */
export const MAX_ANALYSED_CHARS = 4 * 1024 * 1024;

/**
 * The most bytes read from disk for a file: no UTF-8 text over 3 bytes per UTF-16 unit can stay under
 * MAX_ANALYSED_CHARS, so larger files are refused before they are read. Notebooks carry outputs
 * (images, tables) besides their code and get more room.
 */
export const MAX_SOURCE_BYTES = 3 * MAX_ANALYSED_CHARS;
export const MAX_NOTEBOOK_BYTES = 16 * MAX_ANALYSED_CHARS;

/** The reason given for a file too large to analyse; `size` in characters or bytes. */
export function tooLargeReason(size: number): string {
  const mb = (size / (1024 * 1024)).toFixed(1);
  return `file is ${mb} MB, larger than the ${MAX_ANALYSED_CHARS / (1024 * 1024)} MB Workerscope analyses`;
}

export type InputVerdict = { ok: true } | { ok: false; reason: string };

export function checkAnalysable(text: string): InputVerdict {
  if (text.length > MAX_ANALYSED_CHARS) {
    return { ok: false, reason: tooLargeReason(text.length) };
  }
  // A NUL character never occurs in Python source; it marks a binary file opened by mistake.
  if (text.includes('\0')) return { ok: false, reason: 'file contains NUL bytes (binary content), not Python source' };
  return { ok: true };
}
