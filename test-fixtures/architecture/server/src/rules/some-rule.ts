// Deliberate violation: a rule reaches into the language server.
import { connection } from '../lsp/server';
export const check = connection;
