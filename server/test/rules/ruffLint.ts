/**
 * Ruff's linter (wasm) as the quick-fix tests use it: pycodestyle's E and W rules, including the
 * preview blank-line rules, and pyflakes, with a line length that leaves long messages alone.
 */
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';

const ruff = new Workspace({ 'line-length': 200, lint: { preview: true, select: ['E', 'W', 'F'] } }, PositionEncoding.Utf16);

/** Ruff's findings by kind and message, counted (positions move when a fix inserts lines). */
export function ruffFaults(source: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of ruff.check(source) as Array<{ code: string | null; message: string }>) {
    const key = `${d.code ?? ''} ${d.message}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
