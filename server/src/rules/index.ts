/**
 * The rule registry: explicit and sorted by id (the catalogue test checks both). No directory
 * scan at run time.
 */
import type { Rule, RuleMeta } from '../engine/rule';
import { rule as busyWaitQueue } from './busy-wait-queue';
import { rule as discardedTaskResult } from './discarded-task-result';
import { rule as iteratorOutlivesPool } from './iterator-outlives-pool';
import { rule as joinBeforeDrain } from './join-before-drain';
import { rule as staleGlobalInWorker } from './stale-global-in-worker';
import { rule as transferredBufferUsed } from './transferred-buffer-used';
import { rule as unclosedPool } from './unclosed-pool';
import { rule as unguardedEntryPoint } from './unguarded-entry-point';
import { rule as unlockedSharedCounter } from './unlocked-shared-counter';
import { rule as unserializableArgument } from './unserializable-argument';
import { rule as unserializableCallable } from './unserializable-callable';
import { rule as workerResultNeverSettles } from './worker-result-never-settles';

export const RULE_IMPLEMENTATIONS: readonly Rule[] = [
  busyWaitQueue,
  discardedTaskResult,
  iteratorOutlivesPool,
  joinBeforeDrain,
  staleGlobalInWorker,
  transferredBufferUsed,
  unclosedPool,
  unguardedEntryPoint,
  unlockedSharedCounter,
  unserializableArgument,
  unserializableCallable,
  workerResultNeverSettles,
];

/**
 * The rules that also check JavaScript and TypeScript (implemented in rules/js/, which loads only
 * with the JS engine; the catalogue test holds this list equal to that registry).
 */
export const JS_RULE_IDS: readonly string[] = ['transferred-buffer-used', 'unguarded-entry-point', 'unlocked-shared-counter', 'unserializable-argument', 'unserializable-callable', 'worker-result-never-settles'];

export const RULES: readonly RuleMeta[] = RULE_IMPLEMENTATIONS.map((r) => ({
  ...r.meta,
  languages: r.meta.languages ?? (JS_RULE_IDS.includes(r.meta.id) ? ['python', 'javascript'] : ['python']),
}));
