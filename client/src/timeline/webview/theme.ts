/// <reference lib="dom" />
/**
 * The canvas's colours, read from the CSS variables VS Code sets on the webview (its chart colours
 * and the editor's), again whenever the theme changes; fallbacks only for a page outside VS Code.
 */

export interface Palette {
  /** One colour per function slot; slots beyond the list reuse it at a lower alpha. */
  functions: string[];
  failure: string;
  wait: string;
  lifetime: string;
  text: string;
  muted: string;
  grid: string;
  background: string;
  groupBackground: string;
  hover: string;
  /** The workbench's font family, for canvas text. */
  font: string;
}

/** Red is kept for failures: functions take the other chart colours. */
const FUNCTION_VARS: Array<[string, string]> = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-yellow', '#cca700'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-orange', '#d18616'],
];

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const value = style.getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

export function readPalette(): Palette {
  const style = getComputedStyle(document.body);
  const base = FUNCTION_VARS.map(([name, fallback]) => cssVar(style, name, fallback));
  return {
    // Slots 5..9: the same hues, lighter, so ten functions stay apart before colours repeat.
    functions: [...base, ...base.map((c) => withAlpha(c, 0.55))],
    failure: cssVar(style, '--vscode-charts-red', '#f14c4c'),
    wait: withAlpha(cssVar(style, '--vscode-charts-foreground', '#cccccc'), 0.35),
    lifetime: withAlpha(cssVar(style, '--vscode-charts-lines', '#808080'), 0.18),
    text: cssVar(style, '--vscode-foreground', '#cccccc'),
    muted: cssVar(style, '--vscode-descriptionForeground', '#9d9d9d'),
    grid: withAlpha(cssVar(style, '--vscode-charts-lines', '#808080'), 0.25),
    background: cssVar(style, '--vscode-editor-background', '#1e1e1e'),
    groupBackground: cssVar(style, '--vscode-sideBarSectionHeader-background', 'rgba(128,128,128,0.12)'),
    hover: cssVar(style, '--vscode-focusBorder', '#007fd4'),
    font: cssVar(style, '--vscode-font-family', 'sans-serif'),
  };
}

/** The colour at `alpha` opacity, for #rgb/#rrggbb and rgb()/rgba() values. */
export function withAlpha(colour: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(colour);
  if (hex) {
    let h = hex[1];
    if (h.length === 3) h = h.split('').map((c) => c + c).join('');
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^,]+),([^,]+),([^,)]+)/.exec(colour);
  return rgb ? `rgba(${rgb[1].trim()}, ${rgb[2].trim()}, ${rgb[3].trim()}, ${alpha})` : colour;
}

/** Calls `changed` when VS Code switches theme (it swaps the body's classes and variables). */
export function onThemeChange(changed: () => void): void {
  new MutationObserver(changed).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
}
