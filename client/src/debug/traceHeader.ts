/**
 * The line written to the "Workerscope Trace" channel before each session's summary; the grammar
 * (syntaxes/workerscope-trace.tmLanguage.json, rule "separator") scopes it as a comment.
 */
export function sessionHeader(sessionName: string, when: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())} ${when.toTimeString().slice(0, 8)}`;
  return `--- Workerscope: ${sessionName.replace(/\s+/g, ' ')} · ${stamp} ---`;
}
