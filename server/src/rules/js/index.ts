/**
 * The JavaScript/TypeScript rule registry, sorted by id: each entry implements the catalogue
 * rule of the same id (server/src/rules/index.ts) for JS and TS files. Loaded only with the JS
 * engine, so Python analysis never loads ts-morph.
 */
import type { JsRule } from '../../engine-js/rule';
import { rule as transferredBufferUsed } from './transferred-buffer-used';
import { rule as unguardedEntryPoint } from './unguarded-entry-point';
import { rule as unlockedSharedCounter } from './unlocked-shared-counter';
import { rule as unserializableArgument } from './unserializable-argument';
import { rule as unserializableCallable } from './unserializable-callable';
import { rule as workerResultNeverSettles } from './worker-result-never-settles';

export const JS_RULE_IMPLEMENTATIONS: readonly JsRule[] = [
  transferredBufferUsed,
  unguardedEntryPoint,
  unlockedSharedCounter,
  unserializableArgument,
  unserializableCallable,
  workerResultNeverSettles,
];
