/**
 * Messages between the language server's main thread and its analysis worker. The main thread
 * owns documents and LSP; the worker owns parsers, trees and the engine. Which version of each
 * document is the newest is shared memory (`latest`), so the worker can stop analysing a version
 * that has been superseded without waiting for a message it could only read after finishing.
 */
import type { StartMethod } from '../engine/names';
import type { Finding, NotebookLayout, SeveritySetting } from '../engine/types';
import type { TreeEditData } from './treeStore';

export const ANALYSIS_WORKER_ROLE = 'workerscope-analysis';

export interface WorkerData {
  role: typeof ANALYSIS_WORKER_ROLE;
  /** Int32 slots: the newest version of the document in each slot (see AnalysisWorker.slotFor). */
  latest: SharedArrayBuffer;
}

export type ToWorker =
  | { kind: 'edit'; key: string; edits: TreeEditData[] }
  | { kind: 'drop'; key: string }
  /** An open Python module's unsaved text (undefined: closed), which the modules importing it read instead of its file. */
  | { kind: 'overlay'; file: string; text?: string }
  /** Files created or deleted on disk (a module not found before may be found now). */
  | { kind: 'filesChanged'; files: string[] }
  | {
      kind: 'analyse';
      id: number;
      key: string;
      slot: number;
      version: number;
      text: string;
      file: string;
      severities: Record<string, SeveritySetting> | undefined;
      /** The project's `start-method`, assumed where the file sets none. */
      startMethod?: StartMethod;
      /** A notebook's cells joined: where the cells start (for fixes that edit cells). */
      notebook?: NotebookLayout;
      /** Keep the tree for incremental reparsing (open documents), or parse afresh and forget it (notebooks). */
      keepTree: boolean;
      /** Which engine reads the text: Python (tree-sitter) or JavaScript/TypeScript (ts-morph). */
      language: 'python' | 'javascript';
      /** The editor's language id, which tells TypeScript from JavaScript for a URI without an extension (untitled). */
      languageId?: string;
    };

export type FromWorker =
  | { kind: 'ready' }
  /** The worker begins the run: its time budget counts from here, not from the queue. */
  | { kind: 'started'; id: number }
  /** `modules`: stamps (`path\0stamp`) of the project modules the analysis read or looked for in vain. */
  | { kind: 'result'; id: number; findings: Finding[]; modules: string[] }
  | { kind: 'cancelled'; id: number }
  | { kind: 'failed'; id: number; error: string };
