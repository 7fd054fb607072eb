/**
 * One ts-morph `Project` over an in-memory file system holds the JavaScript and TypeScript files
 * being analysed: an edit replaces that one file's text (the others keep their parsed and bound
 * trees), and the program is only bound, never type-checked: no lib files, no module resolution.
 */
import { Project, ts, type SourceFile } from 'ts-morph';

const SCRIPT_EXTENSIONS = /\.(js|mjs|cjs|jsx|ts|mts|cts|tsx)$/i;

export class JsProject {
  private readonly project = new Project({
    useInMemoryFileSystem: true,
    skipFileDependencyResolution: true,
    compilerOptions: {
      allowJs: true,
      checkJs: false,
      noLib: true,
      noResolve: true,
      types: [],
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      jsx: ts.JsxEmit.Preserve,
      // Every file is a module: two CommonJS scripts open at once must not share one global scope.
      moduleDetection: ts.ModuleDetectionKind.Force,
    },
  });
  private readonly names = new Map<string, string>();
  private counter = 0;

  /** Sets the text of the file known by `key` (a URI or path), creating it on first use. */
  update(key: string, fileName: string, text: string): ts.SourceFile {
    // `overwrite` swaps the file's compiler node in place; the rules walk compiler nodes and never
    // create ts-morph wrappers, so nothing has to be re-mapped to the new text.
    const name = this.names.get(key) ?? this.fileNameFor(fileName);
    this.names.set(key, name);
    const file: SourceFile = this.project.createSourceFile(name, text, { overwrite: true });
    return file.compilerNode;
  }

  drop(key: string): void {
    const name = this.names.get(key);
    if (name === undefined) return;
    this.names.delete(key);
    const file = this.project.getSourceFile(name);
    if (file) this.project.removeSourceFile(file);
  }

  /** The binder's view of the current files; creating it binds only files changed since the last. */
  checker(): ts.TypeChecker {
    return this.project.getProgram().compilerObject.getTypeChecker();
  }

  /** A unique in-memory path that keeps the extension, which decides how the file is parsed. */
  private fileNameFor(fileName: string): string {
    const base = fileName.split(/[\\/]/).pop() ?? 'file.js';
    const safe = SCRIPT_EXTENSIONS.test(base) ? base.replace(/[^\w.-]/g, '_') : `${base.replace(/[^\w.-]/g, '_')}.js`;
    return `/workerscope/${++this.counter}/${safe}`;
  }
}
