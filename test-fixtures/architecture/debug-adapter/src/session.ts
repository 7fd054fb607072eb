// Deliberate violations: the session reads the channel files itself and knows the record kinds.
import * as fs from 'node:fs';
import { TASK_EXCEPTION } from '../../runtime/src/wire';
export const read = (file: string): boolean => fs.readFileSync(file, 'utf8').includes(TASK_EXCEPTION);
