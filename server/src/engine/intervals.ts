/**
 * Nested source intervals (functions, classes, guarded blocks...) with the innermost one containing
 * a range found by binary search and a climb through enclosing intervals: the engine's substitute
 * for walking `node.parent`, which web-tree-sitter answers by searching from the root.
 */
export interface Interval<T> {
  start: number;
  end: number;
  value: T;
  /** The syntax node's id, for `innermost(…, exclude)`. */
  id?: number;
}

export class IntervalNest<T> {
  private readonly items: { start: number; end: number; value: T; id: number; parent: number }[];

  /** Intervals must nest (or be disjoint), as syntax nodes do. */
  constructor(intervals: Iterable<Interval<T>>) {
    // One object shape for every item, whatever the caller passed: the lookup loop stays monomorphic.
    const list = [...intervals].map((iv) => ({ start: iv.start, end: iv.end, value: iv.value, id: iv.id ?? -1, parent: -1 }));
    list.sort((a, b) => a.start - b.start || b.end - a.end);
    const stack: number[] = [];
    list.forEach((iv, i) => {
      while (stack.length > 0 && list[stack[stack.length - 1]!]!.end <= iv.start) stack.pop();
      iv.parent = stack.length > 0 ? stack[stack.length - 1]! : -1;
      stack.push(i);
    });
    this.items = list;
  }

  /**
   * The innermost interval containing [start, end), if any, other than the one of node `exclude`
   * (the node asked about); with `sameSpanInside`, also other intervals of exactly that span (for
   * syntax nodes they lie inside it). No callback: this runs for every name the engine looks up.
   */
  innermost(start: number, end: number, exclude = -2, sameSpanInside = false): Interval<T> | undefined {
    const list = this.items;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.start <= start) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    for (let i = found; i !== -1; i = list[i]!.parent) {
      const iv = list[i]!;
      if (iv.start <= start && end <= iv.end && start < iv.end
        && iv.id !== exclude && !(sameSpanInside && iv.start === start && iv.end === end)) return iv;
    }
    return undefined;
  }
}

/** The first index `i` in [0, n) with `key(i) >= value`, for keys sorted ascending (n if none). */
export function lowerBound(n: number, key: (i: number) => number, value: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(mid) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
