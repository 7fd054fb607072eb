/**
 * Python's semantics over decoded JSON values, for the trace fold: the report is specified by
 * what the tracer's report.py does with a record (`dict.get`, `a or b`, `int()`, `list()`), so
 * a record the tracer never meant to write reads the same on both sides.
 */

export type Obj = Record<string, unknown>;

/** `dict.get`: own keys only, absent is None. */
export function get(o: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) && o[key] !== undefined ? o[key] : null;
}

/** Python truthiness of a JSON value. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** `a or b`. */
export function or<T>(a: unknown, b: T): unknown {
  return truthy(a) ? a : b;
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

export function isDict(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** What report.py's attribute access would need: anything else fails the build, as there. */
export function asDict(v: unknown): Obj {
  if (!isDict(v)) throw new TypeError(`expected an object, got ${JSON.stringify(v)}`);
  return v;
}

/** A number, or the build fails (as comparing it would in Python). */
export function num(v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`expected a number, got ${JSON.stringify(v)}`);
  return v;
}

/** `int(v)` for a JSON value. */
export function pyInt(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^\s*[-+]?\d+(_\d+)*\s*$/.test(v)) return Number(v.replace(/_/g, ''));
  throw new TypeError(`int() of ${JSON.stringify(v)}`);
}

/** `list(v)` for a JSON value. */
export function pyList(v: unknown): unknown[] {
  if (Array.isArray(v)) return [...v];
  if (typeof v === 'string') return Array.from(v);
  if (isDict(v)) return Object.keys(v);
  throw new TypeError(`list() of ${JSON.stringify(v)}`);
}

/** A tuple of JSON values as a map key (Python compares `1` and `1.0` equal; so does this). */
export function pairKey(a: unknown, b: unknown): string {
  return JSON.stringify([a, b]);
}

export function setDefault<K, V>(map: Map<K, V>, key: K, value: V): V {
  const existing = map.get(key);
  if (existing !== undefined) return existing;
  map.set(key, value);
  return value;
}

/** A record's time, as the report orders by it (`e.get("t") or 0`). */
export function timeOf(record: Obj): number {
  return num(or(get(record, 't'), 0));
}

/** A stable sort by time, as Python's `sorted(key=…)`: records of one instant keep their order. */
export function byTime<T extends Obj>(records: readonly T[]): T[] {
  return [...records].sort((a, b) => timeOf(a) - timeOf(b));
}
