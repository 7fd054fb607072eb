/**
 * The contract between the JavaScript/TypeScript engine and one JS rule. A JS rule shares its id,
 * severity and settings with the Python rule of the same concept (its `RuleMeta` comes from the
 * one catalogue); it reads the JS model and reports findings without severity.
 */
import type { Report } from '../engine/rule';
import type { JsModel } from './model';

export interface JsRuleContext {
  readonly model: JsModel;
  readonly file: string;
  report(report: Report): void;
}

export interface JsRule {
  /** The id of the catalogue entry this rule implements for JavaScript and TypeScript. */
  readonly id: string;
  check(context: JsRuleContext): void;
}
