// Deliberate violation: the client reaches into the debug adapter's folder.
import { describeFailure } from '../../../debug-adapter/src/session/describe';
export const describe = describeFailure;
