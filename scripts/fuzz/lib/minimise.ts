/**
 * Shrinks a failing language-server fuzz case while it keeps failing: drops bursts, then single
 * changes, then lines of the opened text (delta debugging, coarse to fine), within a time budget.
 */
import type { Change, FuzzCase } from './lspSession';

export async function minimiseCase(c: FuzzCase, fails: (c: FuzzCase) => Promise<boolean>, deadline: number): Promise<FuzzCase> {
  let best = c;
  const attempt = async (candidate: FuzzCase): Promise<boolean> => {
    if (Date.now() > deadline) return false;
    if (!(await fails(candidate))) return false;
    best = candidate;
    return true;
  };
  // Whole bursts, then single changes.
  for (let i = best.bursts.length - 1; i >= 0; i--) await attempt({ ...best, bursts: best.bursts.filter((_, j) => j !== i) });
  for (let i = best.bursts.length - 1; i >= 0; i--) {
    for (let k = best.bursts[i]!.length - 1; k >= 0 && best.bursts[i]!.length > 1; k--) {
      const bursts: Change[][] = best.bursts.map((b, j) => (j === i ? b.filter((_, m) => m !== k) : b));
      await attempt({ ...best, bursts });
    }
  }
  // Lines of the opened text, in halving chunks. Range edits address lines, so this may change what
  // they touch; a candidate is kept only if it still fails.
  for (let chunk = Math.max(1, Math.floor(best.open.split('\n').length / 2)); chunk >= 1; chunk = Math.floor(chunk / 2)) {
    for (let start = 0; Date.now() < deadline; ) {
      const lines = best.open.split('\n');
      if (start >= lines.length) break;
      const candidate = [...lines.slice(0, start), ...lines.slice(start + chunk)].join('\n');
      if (!(await attempt({ ...best, open: candidate }))) start += chunk;
    }
    if (chunk === 1) break;
  }
  return best;
}
