/**
 * What the engine knows about library names: canonical qualified names for the many spellings of
 * the same object, and what calling each one creates. Pure tables, no tree access.
 */

/** What a call to a known library callable (or a method of a known object) creates. */
export type ObjectKind =
  | 'processPool' // pickle-based: multiprocessing.Pool, ProcessPoolExecutor
  | 'threadPool' // ThreadPoolExecutor, multiprocessing.dummy.Pool, ThreadPool
  | 'cloudPool' // cloudpickle/dill based: joblib, loky, multiprocess, pathos, ray, dask
  | 'process' // multiprocessing.Process
  | 'thread' // threading.Thread, multiprocessing.dummy.Process
  | 'manager' // a started Manager()
  | 'managerUnstarted' // SyncManager() before start()
  | 'context' // multiprocessing.get_context(...)
  | 'value' // multiprocessing.Value (synchronized unless lock=False)
  | 'array'
  | 'rawValue'
  | 'rawArray'
  | 'lock' // a lock of the threading or multiprocessing family
  | 'mpQueue' // multiprocessing.Queue / JoinableQueue / SimpleQueue
  | 'file'
  | 'socket'
  | 'db'
  | 'generator'
  | 'proxyValue' // Manager().Value / Array
  | 'proxyArray'
  | 'proxyDict'
  | 'proxyList'
  | 'proxyNamespace'
  | 'proxyQueue'
  | 'proxyLock'
  | 'partial';

export type StartMethod = 'fork' | 'spawn' | 'forkserver';

/** Names that mean the same object, mapped to one canonical spelling. */
const ALIASES: Record<string, string> = {
  'multiprocessing.pool.Pool': 'multiprocessing.Pool',
  'multiprocessing.context.Process': 'multiprocessing.Process',
  'multiprocessing.process.BaseProcess': 'multiprocessing.Process',
  'multiprocessing.context.SpawnProcess': 'multiprocessing.Process',
  'multiprocessing.context.ForkServerProcess': 'multiprocessing.Process',
  'multiprocessing.sharedctypes.Value': 'multiprocessing.Value',
  'multiprocessing.sharedctypes.Array': 'multiprocessing.Array',
  'multiprocessing.sharedctypes.RawValue': 'multiprocessing.RawValue',
  'multiprocessing.sharedctypes.RawArray': 'multiprocessing.RawArray',
  'multiprocessing.synchronize.Lock': 'multiprocessing.Lock',
  'multiprocessing.synchronize.RLock': 'multiprocessing.RLock',
  'multiprocessing.synchronize.Semaphore': 'multiprocessing.Semaphore',
  'multiprocessing.synchronize.BoundedSemaphore': 'multiprocessing.BoundedSemaphore',
  'multiprocessing.synchronize.Condition': 'multiprocessing.Condition',
  'multiprocessing.synchronize.Event': 'multiprocessing.Event',
  'multiprocessing.synchronize.Barrier': 'multiprocessing.Barrier',
  'multiprocessing.queues.Queue': 'multiprocessing.Queue',
  'multiprocessing.queues.JoinableQueue': 'multiprocessing.JoinableQueue',
  'multiprocessing.queues.SimpleQueue': 'multiprocessing.SimpleQueue',
  'multiprocessing.managers.SyncManager': 'multiprocessing.managers.SyncManager',
  'multiprocessing.context.get_context': 'multiprocessing.get_context',
  'concurrent.futures.process.ProcessPoolExecutor': 'concurrent.futures.ProcessPoolExecutor',
  'concurrent.futures.thread.ThreadPoolExecutor': 'concurrent.futures.ThreadPoolExecutor',
  'multiprocessing.dummy.Pool': 'multiprocessing.pool.ThreadPool',
  'multiprocessing.dummy.Process': 'threading.Thread',
  'multiprocessing.dummy.DummyProcess': 'threading.Thread',
  'multiprocessing.dummy.Lock': 'threading.Lock',
  'multiprocessing.dummy.RLock': 'threading.RLock',
  'multiprocessing.dummy.Semaphore': 'threading.Semaphore',
  'multiprocessing.dummy.BoundedSemaphore': 'threading.BoundedSemaphore',
  'multiprocessing.dummy.Condition': 'threading.Condition',
  'multiprocessing.dummy.Event': 'threading.Event',
  'io.open': 'builtins.open',
  '_thread.allocate_lock': 'threading.Lock',
  '_thread.LockType': 'threading.Lock',
  '_thread.RLock': 'threading.RLock',
};

const CALL_RESULTS: Record<string, ObjectKind> = {
  'multiprocessing.Pool': 'processPool',
  'concurrent.futures.ProcessPoolExecutor': 'processPool',
  'multiprocessing.pool.ThreadPool': 'threadPool',
  'concurrent.futures.ThreadPoolExecutor': 'threadPool',
  'multiprocessing.Process': 'process',
  'threading.Thread': 'thread',
  'threading.Timer': 'thread',
  'multiprocessing.Manager': 'manager',
  'multiprocessing.managers.SyncManager': 'managerUnstarted',
  'multiprocessing.get_context': 'context',
  'multiprocessing.Value': 'value',
  'multiprocessing.Array': 'array',
  'multiprocessing.RawValue': 'rawValue',
  'multiprocessing.RawArray': 'rawArray',
  'multiprocessing.Queue': 'mpQueue',
  'multiprocessing.JoinableQueue': 'mpQueue',
  'multiprocessing.SimpleQueue': 'mpQueue',
  'builtins.open': 'file',
  'gzip.open': 'file',
  'bz2.open': 'file',
  'lzma.open': 'file',
  'codecs.open': 'file',
  'tempfile.TemporaryFile': 'file',
  'tempfile.NamedTemporaryFile': 'file',
  'tempfile.SpooledTemporaryFile': 'file',
  'socket.socket': 'socket',
  'socket.create_connection': 'socket',
  'socket.create_server': 'socket',
  'socket.fromfd': 'socket',
  'sqlite3.connect': 'db',
  'psycopg2.connect': 'db',
  'psycopg.connect': 'db',
  'pymysql.connect': 'db',
  'MySQLdb.connect': 'db',
  'mysql.connector.connect': 'db',
  'functools.partial': 'partial',
};

const LOCK_NAMES = ['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition', 'Event', 'Barrier'];
for (const name of LOCK_NAMES) {
  CALL_RESULTS[`threading.${name}`] = 'lock';
  CALL_RESULTS[`multiprocessing.${name}`] = 'lock';
}

/** Objects a started manager creates, by method name. */
const MANAGER_METHODS: Record<string, ObjectKind> = {
  Value: 'proxyValue',
  Array: 'proxyArray',
  dict: 'proxyDict',
  list: 'proxyList',
  Namespace: 'proxyNamespace',
  Queue: 'proxyQueue',
  JoinableQueue: 'proxyQueue',
  Lock: 'proxyLock',
  RLock: 'proxyLock',
  Semaphore: 'proxyLock',
  BoundedSemaphore: 'proxyLock',
  Condition: 'proxyLock',
  Event: 'proxyLock',
  Barrier: 'proxyLock',
};

/** Packages that serialise tasks with cloudpickle or dill, or run them elsewhere: never flagged. */
const CLOUD_PACKAGES = ['joblib', 'loky', 'multiprocess', 'pathos', 'ray', 'dask', 'distributed', 'mpire', 'billiard'];

export function canonical(qname: string): string {
  return ALIASES[qname] ?? qname;
}

export function isCloudName(qname: string): boolean {
  const root = qname.split('.', 1)[0] ?? '';
  return CLOUD_PACKAGES.includes(root);
}

/** What calling the library object `qname` returns, when the engine models it. */
export function callResult(qname: string): ObjectKind | undefined {
  const known = CALL_RESULTS[canonical(qname)];
  if (known) return known;
  if (isCloudName(qname) && /(Pool|Executor|Parallel|executor|ProcessPool)\b/.test(qname.slice(qname.lastIndexOf('.') + 1))) return 'cloudPool';
  return undefined;
}

export function managerMethodResult(method: string): ObjectKind | undefined {
  return MANAGER_METHODS[method];
}

/** Attributes of a context object that behave as the same-named multiprocessing function. */
export function isContextAttribute(name: string): boolean {
  return `multiprocessing.${name}` in CALL_RESULTS || name === 'Manager' || name === 'Pool' || name === 'Process';
}

export const POOL_TASK_METHODS: ReadonlySet<string> = new Set([
  'map', 'imap', 'imap_unordered', 'map_async', 'starmap', 'starmap_async', 'apply', 'apply_async', 'submit',
]);

/** Module-qualified names whose modules are parallelism modules; the cheap prefilter keys on these. */
export const PARALLEL_HINT = /multiprocess|concurrent|threading|_thread|Executor|\bPool\b/;

export const SHARED_KINDS: ReadonlySet<ObjectKind> = new Set([
  'value', 'array', 'rawValue', 'rawArray', 'proxyValue', 'proxyArray', 'proxyDict', 'proxyList', 'proxyNamespace',
]);
