// Deliberate violations: the engine imports a rule, the editor API, and is in a cycle with values.ts.
import { check } from '../rules/some-rule';
import * as vscode from 'vscode';
import type { Value } from './values';
export const uses = [check, vscode] as unknown as Value[];
