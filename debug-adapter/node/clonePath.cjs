'use strict';
/**
 * Names the value that structured clone refused: after postMessage or `workerData` threw a
 * DataCloneError, the value is walked (only then: the happy path pays nothing) to the first
 * part that cannot be cloned, as a property path such as `msg.options.onProgress: function`.
 */
const fs = require('node:fs');

const MAX_DEPTH = 40;
const MAX_NODES = 20000;

/** What kind of uncloneable value this is, or null when clone takes it. */
function refusal(value) {
  if (typeof value === 'function') return 'function';
  if (typeof value === 'symbol') return 'symbol';
  if (value === null || typeof value !== 'object') return null;
  try {
    structuredClone(value);
    return null;
  } catch {
    let name = 'object';
    try {
      name = (value.constructor && value.constructor.name) || Object.prototype.toString.call(value).slice(8, -1);
    } catch {
      // A hostile constructor getter: "object" it is.
    }
    return name;
  }
}

/** `a.b`, `a[3]` or `a["odd key"]`. */
function step(pathText, key) {
  if (typeof key === 'number') return `${pathText}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${pathText}.${key}` : `${pathText}[${JSON.stringify(key)}]`;
}

/**
 * The path to the innermost uncloneable part of `value` (named `root`), with its kind, or null
 * when every part clones (the error was about something else, such as a detached buffer).
 */
function clonePath(value, root) {
  const seen = new Set();
  let budget = MAX_NODES;
  const walk = (v, at, depth) => {
    const kind = refusal(v);
    if (kind === null) return null;
    if (typeof v !== 'object' || seen.has(v) || depth > MAX_DEPTH || --budget < 0) return `${at}: ${kind}`;
    seen.add(v);
    for (const [key, child] of children(v)) {
      const found = walk(child, step(at, key), depth + 1);
      if (found) return found;
    }
    // No part of it is refused: the object itself is (a WeakMap, a Promise, a host object).
    return `${at}: ${kind}`;
  };
  try {
    return walk(value, root, 0);
  } catch {
    return null;
  }
}

/** The parts structured clone would copy: own enumerable properties, Map entries, Set members. */
function children(v) {
  const out = [];
  if (v instanceof Map) {
    let i = 0;
    for (const [k, x] of v) {
      out.push([`<key ${i}>`, k], [typeof k === 'string' ? k : `<value ${i}>`, x]);
      i++;
    }
    return out;
  }
  if (v instanceof Set) {
    let i = 0;
    for (const x of v) out.push([`<member ${i++}>`, x]);
    return out;
  }
  const array = Array.isArray(v);
  for (const key of Object.keys(v)) {
    let child;
    try {
      child = v[key];
    } catch {
      continue;
    }
    out.push([array && /^\d+$/.test(key) ? Number(key) : key, child]);
  }
  return out;
}

/**
 * The expression given to the call at `file:line` (`worker.postMessage(msg)` gives `msg`), so
 * the path starts where the user's code names the value; `fallback` when the line says nothing simple.
 */
function argumentName(file, line, callee, fallback) {
  try {
    const text = fs.readFileSync(file, 'utf8').split('\n')[line - 1] || '';
    const m = new RegExp(`${callee}\\(\\s*([A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)*)\\s*[,)]`).exec(text);
    return m ? m[1] : fallback;
  } catch {
    return fallback;
  }
}

module.exports = { clonePath, argumentName };
