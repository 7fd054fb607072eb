// Tasks the other files of this folder import: ES exports.
export function work(x) {
  return x * 2;
}

export const LIMIT = 3;

const factor = 3;

export function scaled(x) {
  return x * factor;
}

export function standalone(x) {
  const f = 4;
  return x * f;
}
