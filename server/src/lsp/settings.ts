/**
 * Reads `workerscope.*` settings per document through `workspace/configuration`, caching them
 * until the client reports a configuration change. Unknown rule ids and severities in
 * `workerscope.rules` are left out and described in `problems`, for the server to log.
 */
import type { Connection } from 'vscode-languageserver';
import { RULES } from '../analysis';
import { CONFIG_SEVERITIES, suggest } from '../config/projectConfig';
import type { SeveritySetting } from '../engine/types';

export interface DocumentSettings {
  enable: boolean;
  rules: Record<string, SeveritySetting>;
  /** What was wrong in the settings and ignored, one sentence each. */
  problems: string[];
}

const DEFAULTS: DocumentSettings = { enable: true, rules: {}, problems: [] };
const RULE_IDS = RULES.map((r) => r.id);

export function normaliseSettings(raw: unknown): DocumentSettings {
  if (!raw || typeof raw !== 'object') return DEFAULTS;
  const value = raw as { enable?: unknown; rules?: unknown };
  const rules: Record<string, SeveritySetting> = {};
  const problems: string[] = [];
  if (value.rules && typeof value.rules === 'object') {
    for (const [id, severity] of Object.entries(value.rules as Record<string, unknown>)) {
      if (!RULE_IDS.includes(id)) problems.push(`"workerscope.rules" names an unknown rule "${id}"${suggest(id, RULE_IDS)}; it is ignored.`);
      else if (typeof severity !== 'string' || !(CONFIG_SEVERITIES as readonly string[]).includes(severity)) {
        problems.push(`"workerscope.rules" gives "${id}" the severity ${JSON.stringify(severity)}; use one of ${CONFIG_SEVERITIES.join(', ')}. The rule keeps its default.`);
      } else rules[id] = severity as SeveritySetting;
    }
  }
  return { enable: value.enable !== false, rules, problems };
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
