// Deliberate violation: closes the import cycle model.ts -> values.ts -> model.ts.
import { uses } from './model';
export type Value = { n: number };
export const again = uses;
