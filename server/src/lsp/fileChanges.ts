/**
 * Quick fixes that change more than their own document, as LSP workspace edits: edits on other
 * notebook cells, and code added to a module beside a notebook, created with `CreateFile` (never
 * overwriting) or merged into the file as it is when the fix is asked for. A client that cannot
 * create files through a workspace edit is not offered such a fix.
 */
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClientCapabilities, TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver';
import { mergeIntoModule } from '../engine/moduleMerge';
import type { Fix, ModuleAddition } from '../engine/types';

/** What the client's workspace edits can do (`workspace.workspaceEdit` capabilities). */
export interface WorkspaceEditSupport {
  documentChanges: boolean;
  createFiles: boolean;
}

export function workspaceEditSupport(capabilities: ClientCapabilities): WorkspaceEditSupport {
  const edit = capabilities.workspace?.workspaceEdit;
  return { documentChanges: edit?.documentChanges === true, createFiles: edit?.resourceOperations?.includes('create') === true };
}

/** A module's state when a fix is asked for: its text (undefined: no such file), or why not to touch it. */
export type ModuleState = { ok: true; text: string | undefined } | { ok: false; reason: string };

/** A path or URI as a URI (the engine names files as the analysed document was named). */
export function fileUri(file: string): string {
  if (/^[a-z][a-z0-9+.-]+:/i.test(file)) return file;
  return `file://${encodeURI(file.replace(/\\/g, '/').replace(/^(?!\/)/, '/'))}`;
}

/**
 * Reads the modules the fixes add to: the open document's text first (it may be unsaved), else
 * the file. A folder of the module's name beside it (a package, which `import` would find first)
 * and a module the notebook imports although no such file is beside it (an installed module the
 * new file would shadow) block the fix.
 */
export async function readModules(fixes: readonly Fix[], openText: (uri: string) => string | undefined): Promise<Map<string, ModuleState>> {
  const states = new Map<string, ModuleState>();
  for (const fix of fixes) {
    for (const change of fix.files ?? []) {
      if (change.kind !== 'module' || states.has(change.file)) continue;
      states.set(change.file, await readModule(change, openText));
    }
  }
  return states;
}

async function readModule(change: ModuleAddition, openText: (uri: string) => string | undefined): Promise<ModuleState> {
  const uri = fileUri(change.file);
  if (!uri.startsWith('file:')) return { ok: false, reason: 'not a file on disk' };
  const open = openText(uri);
  if (open !== undefined) return { ok: true, text: open };
  const file = fileURLToPath(uri);
  const folder = await fs.stat(file.replace(/\.py$/, '')).catch(() => undefined);
  if (folder?.isDirectory()) return { ok: false, reason: `a folder \`${change.module}\` beside the notebook would be imported instead` };
  try {
    return { ok: true, text: await fs.readFile(file, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, reason: String(error) };
    if (change.alreadyImported) return { ok: false, reason: `the notebook imports an installed \`${change.module}\`` };
    return { ok: true, text: undefined };
  }
}

/**
 * The title and workspace edit of a fix on `uri`, or undefined when the client cannot make it or
 * a module it adds to is blocked. A fix on its own document alone keeps the plain `changes` form.
 */
export function fixAction(uri: string, fix: Fix, support: WorkspaceEditSupport, modules: ReadonlyMap<string, ModuleState>): { title: string; edit: WorkspaceEdit } | undefined {
  const files = fix.files ?? [];
  const additions = files.filter((f): f is ModuleAddition => f.kind === 'module');
  if (additions.length === 0) {
    const changes: Record<string, Fix['edits']> = {};
    if (fix.edits.length > 0) changes[uri] = fix.edits;
    for (const f of files) if (f.kind === 'edit') changes[fileUri(f.file)] = [...(changes[fileUri(f.file)] ?? []), ...f.edits];
    return { title: fix.title, edit: { changes } };
  }
  if (!support.documentChanges || !support.createFiles) return undefined;
  const documentChanges: WorkspaceEdit['documentChanges'] & object = [];
  const textEdit = (target: string, edits: Fix['edits']): TextDocumentEdit => ({ textDocument: { uri: target, version: null }, edits });
  let title = fix.title;
  for (const addition of additions) {
    const state = modules.get(addition.file);
    if (!state?.ok) return undefined;
    const merged = mergeIntoModule(state.text, addition);
    if (!merged.ok) return undefined;
    const target = fileUri(addition.file);
    if (merged.create) documentChanges.push({ kind: 'create', uri: target, options: { overwrite: false, ignoreIfExists: true } });
    documentChanges.push(textEdit(target, merged.edits));
    title += merged.create ? ' (a new file: the kernel imports from the notebook\'s folder)' : ' (added to the file: restart the kernel if it imported it)';
  }
  if (fix.edits.length > 0) documentChanges.push(textEdit(uri, fix.edits));
  for (const f of files) if (f.kind === 'edit') documentChanges.push(textEdit(fileUri(f.file), f.edits));
  return { title, edit: { documentChanges } };
}
