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
import { rule as unclosedPool } from './unclosed-pool';
import { rule as unguardedEntryPoint } from './unguarded-entry-point';
import { rule as unlockedSharedCounter } from './unlocked-shared-counter';
import { rule as unserializableArgument } from './unserializable-argument';
import { rule as unserializableCallable } from './unserializable-callable';

export const RULE_IMPLEMENTATIONS: readonly Rule[] = [
  busyWaitQueue,
  discardedTaskResult,
  iteratorOutlivesPool,
  joinBeforeDrain,
  staleGlobalInWorker,
  unclosedPool,
  unguardedEntryPoint,
  unlockedSharedCounter,
  unserializableArgument,
  unserializableCallable,
];

export const RULES: readonly RuleMeta[] = RULE_IMPLEMENTATIONS.map((r) => r.meta);
