// Deliberate violation: the runtime speaks DAP.
import { DebugSession } from '@vscode/debugadapter';
export const session = DebugSession;
