/**
 * Where an edit's analysis of a large TypeScript file goes, inside the JS engine (no language
 * server, no worker): the incremental reparse, the model, each rule. Measured in CPU time of this
 * process, which a loaded machine inflates far less than wall time; prints medians as JSON.
 * The file is `lspLatency.ts`'s generated TypeScript module (BENCH_LINES lines, default 5003).
 */
import { JsModel } from '../../server/src/engine-js/model';
import { JsProject } from '../../server/src/engine-js/project';
import { JS_RULE_IMPLEMENTATIONS } from '../../server/src/rules/js';
import { makeTsSource } from './lspLatency';

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function main(): void {
  const edits = Number(process.env.BENCH_EDITS ?? 200);
  const lines = makeTsSource(Number(process.env.BENCH_LINES ?? 5003)).split('\n');
  const project = new JsProject();
  project.update('bench', 'large.ts', lines.join('\n'));
  const phases = new Map<string, number[]>();
  const time = <T>(name: string, run: () => T): T => {
    const started = cpuMs();
    const result = run();
    const list = phases.get(name) ?? [];
    list.push(cpuMs() - started);
    phases.set(name, list);
    return result;
  };
  for (let v = 0; v < edits; v++) {
    // As lspLatency: `//` typed at a line's start, then deleted again.
    const line = 3 + ((Math.floor(v / 2) * 74) % (lines.length - 10));
    lines[line] = v % 2 === 0 ? `//${lines[line]}` : lines[line]!.slice(2);
    const text = lines.join('\n');
    const started = cpuMs();
    const file = time('reparse', () => project.update('bench', 'large.ts', text));
    const model = time('model', () => new JsModel(file, 'large.ts'));
    for (const rule of JS_RULE_IMPLEMENTATIONS) time(`rule ${rule.id}`, () => rule.check({ model, file: 'large.ts', report: () => undefined }));
    const list = phases.get('total') ?? [];
    list.push(cpuMs() - started);
    phases.set('total', list);
  }
  const median = (xs: number[]): number => {
    const warm = xs.slice(Math.floor(xs.length / 4)).sort((a, b) => a - b);
    return +(warm[Math.floor(warm.length / 2)] ?? NaN).toFixed(2);
  };
  console.log(JSON.stringify({ lines: lines.length, edits, cpuMedianMs: Object.fromEntries([...phases].map(([k, xs]) => [k, median(xs)])) }));
}

if (require.main === module) main();
