/**
 * The rule registry: explicit and sorted by id (the catalogue test checks both). No directory
 * scan at run time.
 */
import type { Rule, RuleMeta } from '../engine/rule';
import { rule as unguardedEntryPoint } from './unguarded-entry-point';
import { rule as unlockedSharedCounter } from './unlocked-shared-counter';
import { rule as unserializableArgument } from './unserializable-argument';
import { rule as unserializableCallable } from './unserializable-callable';

export const RULE_IMPLEMENTATIONS: readonly Rule[] = [
  unguardedEntryPoint,
  unlockedSharedCounter,
  unserializableArgument,
  unserializableCallable,
];

export const RULES: readonly RuleMeta[] = RULE_IMPLEMENTATIONS.map((r) => r.meta);
