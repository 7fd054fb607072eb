/**
 * Renders `workerscope check` results as text for terminals, JSON for scripts and SARIF 2.1.0 for
 * code-scanning services. Lines and columns are 1-based in every format.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Severity } from '../engine/types';
import type { RuleMeta } from '../analysis';
import type { Fingerprint } from '../config/baseline';

/** The key of Workerscope's fingerprint in SARIF `partialFingerprints`: the baseline's fingerprint and occurrence. */
export const SARIF_FINGERPRINT_KEY = 'workerscopeFingerprint/v1';

export interface FileFindings {
  file: string;
  findings: Finding[];
  /** For a notebook: the 1-based cell (index in the notebook's `cells`) of each finding; lines are then within that cell. */
  cells?: number[];
  /** The baseline fingerprint of each finding (SARIF `partialFingerprints`). */
  fingerprints?: Fingerprint[];
}

export interface JsonFinding {
  file: string;
  /** Notebooks only: the 1-based index of the cell in the notebook's `cells` list (markdown cells count). */
  cell?: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  severity: Severity;
  message: string;
}

export function toJsonFindings(results: readonly FileFindings[]): JsonFinding[] {
  return results.flatMap(({ file, findings, cells }) =>
    findings.map((f, i) => ({
      file,
      ...(cells?.[i] !== undefined ? { cell: cells[i] } : {}),
      line: f.range.start.line + 1,
      column: f.range.start.character + 1,
      endLine: f.range.end.line + 1,
      endColumn: f.range.end.character + 1,
      rule: f.rule,
      severity: f.severity,
      message: f.message,
    })),
  );
}

export function formatText(results: readonly FileFindings[]): string {
  const lines = toJsonFindings(results).map(
    (f) => `${f.file}${f.cell !== undefined ? `:cell ${f.cell}` : ''}:${f.line}:${f.column}: ${f.severity} [${f.rule}] ${f.message}`,
  );
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

export function formatJson(results: readonly FileFindings[]): string {
  return `${JSON.stringify(toJsonFindings(results), null, 2)}\n`;
}

const SARIF_LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

export function formatSarif(results: readonly FileFindings[], rules: readonly RuleMeta[], version: string): string {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  // In the order of toJsonFindings: file by file, finding by finding.
  const prints = results.flatMap((r) => r.findings.map((_, i) => r.fingerprints?.[i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Workerscope',
            version,
            informationUri: 'https://github.com/workerscope/workerscope',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.summary },
              helpUri: r.docsUrl,
              defaultConfiguration: { level: SARIF_LEVEL[r.defaultSeverity] },
            })),
          },
        },
        results: toJsonFindings(results).map((f, i) => ({
          ruleId: f.rule,
          ...(ruleIndex.has(f.rule) ? { ruleIndex: ruleIndex.get(f.rule) } : {}),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.cell !== undefined ? `Cell ${f.cell}: ${f.message}` : f.message },
          ...(f.cell !== undefined ? { properties: { cell: f.cell } } : {}),
          ...(prints[i] ? { partialFingerprints: { [SARIF_FINGERPRINT_KEY]: `${prints[i].fingerprint}:${prints[i].occurrence}` } } : {}),
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: sarifUri(f.file) },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** Relative paths stay relative (code scanning resolves them against the checkout); absolute ones become file URIs. */
function sarifUri(file: string): string {
  if (path.isAbsolute(file)) return pathToFileURL(file).href;
  return file.split(path.sep).map(encodeURIComponent).join('/');
}
