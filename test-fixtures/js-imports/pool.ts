import workerpool from 'workerpool';
import * as tasks from './tasks';
import { standalone } from './tasks';

const pool = workerpool.pool();
pool.exec(tasks.scaled, [1]);
pool.exec(standalone, [2]);
