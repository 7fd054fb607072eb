/**
 * Reads `workerscope.*` settings per document through `workspace/configuration`, caching them
 * until the client reports a configuration change.
 */
import type { Connection } from 'vscode-languageserver';
import type { SeveritySetting } from '../engine/types';

export interface DocumentSettings {
  enable: boolean;
  rules: Record<string, SeveritySetting>;
}

const DEFAULTS: DocumentSettings = { enable: true, rules: {} };
const VALID = new Set<string>(['off', 'hint', 'information', 'warning', 'error']);

export function normaliseSettings(raw: unknown): DocumentSettings {
  if (!raw || typeof raw !== 'object') return DEFAULTS;
  const value = raw as { enable?: unknown; rules?: unknown };
  const rules: Record<string, SeveritySetting> = {};
  if (value.rules && typeof value.rules === 'object') {
    for (const [id, severity] of Object.entries(value.rules as Record<string, unknown>)) {
      if (typeof severity === 'string' && VALID.has(severity)) rules[id] = severity as SeveritySetting;
    }
  }
  return { enable: value.enable !== false, rules };
}

export class SettingsCache {
  private readonly cache = new Map<string, Promise<DocumentSettings>>();

  constructor(
    private readonly connection: Connection,
    private readonly clientSupportsConfiguration: () => boolean,
  ) {}

  get(uri: string): Promise<DocumentSettings> {
    if (!this.clientSupportsConfiguration()) return Promise.resolve(DEFAULTS);
    let pending = this.cache.get(uri);
    if (!pending) {
      pending = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'workerscope' })
        .then(normaliseSettings, () => DEFAULTS);
      this.cache.set(uri, pending);
    }
    return pending;
  }

  forget(uri?: string): void {
    if (uri === undefined) this.cache.clear();
    else this.cache.delete(uri);
  }
}
