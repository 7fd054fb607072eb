/**
 * Which files import which project modules, as the analyses report it (the stamps of the modules
 * each analysis read or looked for in vain, `engine/workspaceModules.ts`): kept in both directions
 * and replaced file by file as files are analysed again, so a change to `tasks.py` finds the files
 * whose findings may change with it without reading anything.
 */
import * as path from 'node:path';

export class ImportIndex {
  /** Dependant file → the module files its last analysis read (or looked for). */
  private readonly forward = new Map<string, readonly string[]>();
  /** Module file → the files whose last analysis read it (or looked for it). */
  private readonly reverse = new Map<string, Set<string>>();

  /** The analysis of `dependant` (a path) read the modules of `stamps` (`path\0stamp`), and only those. */
  record(dependant: string, stamps: readonly string[]): void {
    const modules = [...new Set(stamps.map((s) => path.resolve(s.slice(0, s.indexOf('\0')))))];
    this.forget(dependant);
    if (modules.length === 0) return;
    this.forward.set(dependant, modules);
    for (const module of modules) {
      let set = this.reverse.get(module);
      if (!set) this.reverse.set(module, (set = new Set()));
      set.add(dependant);
    }
  }

  /** The file is gone (or no longer analysed): it depends on nothing. */
  forget(dependant: string): void {
    for (const module of this.forward.get(dependant) ?? []) {
      const set = this.reverse.get(module);
      set?.delete(dependant);
      if (set?.size === 0) this.reverse.delete(module);
    }
    this.forward.delete(dependant);
  }

  /** The files whose findings may change when `module` (a path) changes, is created or deleted. */
  dependantsOf(module: string): string[] {
    return [...(this.reverse.get(path.resolve(module)) ?? [])];
  }

  get size(): number {
    return this.forward.size;
  }
}
