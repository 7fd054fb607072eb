/**
 * What the engine knows about library names: canonical qualified names for the many spellings of
 * the same object, and what calling each one creates. Pure tables, no tree access.
 */

/** What a call to a known library callable (or a method of a known object) creates. */
export type ObjectKind =
  | 'processPool' // pickle-based: multiprocessing.Pool, ProcessPoolExecutor
  | 'threadPool' // ThreadPoolExecutor, multiprocessing.dummy.Pool, ThreadPool
  | 'cluster' // a Dask `Client` or `LocalCluster`: submit/map send tasks to worker processes
  | 'parallel' // a joblib `Parallel(...)`: calling it with `delayed(f)(...)` items runs them
  | 'processGroup' // `torch.multiprocessing.spawn(fn, ...)`: processes already started
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

/**
 * The libraries whose pools, processes and clients the engine models, by top-level package.
 * `torch.multiprocessing` is `multiprocessing` itself (it re-exports it), so its names are
 * canonicalised to the stdlib's; `billiard` and `multiprocess` are forks with the same API and keep
 * their own names, so that each rule can ask what their serialiser and workers do.
 */
export type Backend = 'multiprocessing' | 'billiard' | 'multiprocess' | 'pathos' | 'joblib' | 'loky' | 'dask' | 'ray' | 'mpire' | 'torch';

/** How a backend serialises a task's callable and arguments. */
export type Serializer = 'pickle' | 'dill' | 'cloudpickle';

/**
 * What each backend does, as checked against the real libraries (docs/backends.md has the table
 * and how each line was verified). `reimports`: whether its worker processes import the main
 * module again (spawn/forkserver style) so that unguarded starts at import time re-run; `closes`:
 * whether a pool left open keeps workers alive (unclosed-pool); `keepResult`: whether a dropped
 * future or async result loses the task's exception (discarded-task-result).
 */
interface BackendTraits {
  serializer: Serializer;
  reimports: boolean;
  closes: boolean;
  keepResult: boolean;
}

const TRAITS: Record<Backend, BackendTraits> = {
  multiprocessing: { serializer: 'pickle', reimports: true, closes: true, keepResult: true },
  torch: { serializer: 'pickle', reimports: true, closes: true, keepResult: true },
  billiard: { serializer: 'pickle', reimports: true, closes: true, keepResult: true },
  multiprocess: { serializer: 'dill', reimports: true, closes: true, keepResult: true },
  pathos: { serializer: 'dill', reimports: true, closes: true, keepResult: true },
  // loky workers unpickle functions by value (cloudpickle) and never run the main module.
  loky: { serializer: 'cloudpickle', reimports: false, closes: true, keepResult: true },
  // `Parallel(...)(...)` returns the results or raises: nothing to close, nothing to drop.
  joblib: { serializer: 'cloudpickle', reimports: false, closes: false, keepResult: false },
  // Dask nannies start workers with spawn on every platform; a Client left open is closed at exit.
  dask: { serializer: 'cloudpickle', reimports: true, closes: false, keepResult: true },
  // Ray workers import functions by value; an unread failed ObjectRef is logged when collected.
  ray: { serializer: 'cloudpickle', reimports: false, closes: false, keepResult: false },
  // mpire forks by default (the function is inherited, not pickled); arguments are pickled.
  mpire: { serializer: 'pickle', reimports: false, closes: false, keepResult: false },
};

const BACKEND_ROOTS: Record<string, Backend> = {
  multiprocessing: 'multiprocessing', concurrent: 'multiprocessing', billiard: 'billiard', multiprocess: 'multiprocess',
  pathos: 'pathos', joblib: 'joblib', loky: 'loky', dask: 'dask', distributed: 'dask', ray: 'ray', mpire: 'mpire', torch: 'torch',
};

/** Library objects outside the stdlib's tables, by canonical name. */
const BACKEND_RESULTS: Record<string, ObjectKind> = {
  'pathos.pools.ProcessPool': 'processPool',
  'pathos.pools.ThreadPool': 'threadPool',
  'joblib.Parallel': 'parallel',
  'loky.ProcessPoolExecutor': 'processPool',
  'distributed.Client': 'cluster',
  'distributed.LocalCluster': 'cluster',
  'ray.util.multiprocessing.Pool': 'processPool',
  'mpire.WorkerPool': 'processPool',
  'torch.multiprocessing.spawn': 'processGroup',
  'torch.multiprocessing.start_processes': 'processGroup',
};

/** Spellings of the same backend object. */
const BACKEND_ALIASES: Record<string, string> = {
  'pathos.multiprocessing.ProcessPool': 'pathos.pools.ProcessPool',
  'pathos.multiprocessing.ProcessingPool': 'pathos.pools.ProcessPool',
  'pathos.pools.ProcessingPool': 'pathos.pools.ProcessPool',
  'pathos.threading.ThreadPool': 'pathos.pools.ThreadPool',
  'pathos.pools._ProcessPool': 'multiprocess.Pool',
  'pathos.pools._ThreadPool': 'multiprocess.pool.ThreadPool',
  'joblib.parallel.Parallel': 'joblib.Parallel',
  'joblib.externals.loky.ProcessPoolExecutor': 'loky.ProcessPoolExecutor',
  'dask.distributed.Client': 'distributed.Client',
  'dask.distributed.LocalCluster': 'distributed.LocalCluster',
  'distributed.client.Client': 'distributed.Client',
  'distributed.deploy.local.LocalCluster': 'distributed.LocalCluster',
  'mpire.pool.WorkerPool': 'mpire.WorkerPool',
  'torch.multiprocessing.spawn.spawn': 'torch.multiprocessing.spawn',
  'torch.multiprocessing.spawn.start_processes': 'torch.multiprocessing.start_processes',
};

/** torch.multiprocessing's own additions; every other name of it is multiprocessing's. */
const TORCH_OWN = new Set(['spawn', 'start_processes', 'ProcessContext', 'SpawnContext', 'ProcessRaisedException', 'ProcessExitedException']);

export function canonical(qname: string): string {
  const known = ALIASES[qname] ?? BACKEND_ALIASES[qname];
  if (known) return known;
  if (qname.startsWith('torch.multiprocessing.')) {
    const rest = qname.slice('torch.multiprocessing.'.length);
    if (!TORCH_OWN.has(rest.split('.', 1)[0] ?? '')) return canonical(`multiprocessing.${rest}`);
  }
  return qname;
}

/** The stdlib name of a `billiard` or `multiprocess` object (forks of multiprocessing's API). */
function forkEquivalent(qname: string): string | undefined {
  for (const root of ['billiard', 'multiprocess']) {
    if (qname.startsWith(`${root}.`)) return canonical(`multiprocessing.${qname.slice(root.length + 1)}`);
  }
  return undefined;
}

/** The multiprocessing-like package a name belongs to: `multiprocessing`, `billiard` or `multiprocess`. */
export function forkRoot(qname: string): string {
  return qname.startsWith('billiard.') ? 'billiard' : qname.startsWith('multiprocess.') ? 'multiprocess' : 'multiprocessing';
}

/** The backend of a library object by its qualified name (stdlib names are `multiprocessing`'s). */
export function backendOf(qname: string): Backend {
  return BACKEND_ROOTS[qname.split('.', 1)[0] ?? ''] ?? 'multiprocessing';
}

export function traitsOf(qname: string): BackendTraits {
  return TRAITS[backendOf(qname)];
}

let modelledRoots: Set<string> | undefined;

/**
 * Whether the engine models the library `module` belongs to (multiprocessing, concurrent,
 * threading, functools, the parallel backends...): its names stay library names even where its
 * source is importable from a project folder (a workspace inside a Python installation).
 */
export function isModelledLibrary(module: string): boolean {
  modelledRoots ??= new Set(
    [...Object.keys(ALIASES), ...Object.values(ALIASES), ...Object.keys(CALL_RESULTS), ...Object.keys(BACKEND_ROOTS), ...Object.keys(BACKEND_RESULTS), ...Object.keys(BACKEND_ALIASES), 'functools', 'builtins', 'os', 'queue', 'pickle', 'sys']
      .map((q) => q.split('.')[0]!),
  );
  return modelledRoots.has(module.split('.')[0]!);
}

/** What calling the library object `qname` returns, when the engine models it. */
export function callResult(qname: string): ObjectKind | undefined {
  const name = canonical(qname);
  const known = CALL_RESULTS[name] ?? BACKEND_RESULTS[name];
  if (known) return known;
  const fork = forkEquivalent(name);
  return fork ? CALL_RESULTS[fork] : undefined;
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
  // pathos pools (`uimap`, `amap`, `apipe`, `pipe`) and mpire's `WorkerPool` (`map_unordered`)
  'uimap', 'amap', 'apipe', 'pipe', 'map_unordered',
]);

/**
 * Module-qualified names whose modules are parallelism modules; the cheap prefilter keys on these.
 * The backends' names are common words ("distributed", "ray") in prose, so they count only where a
 * line imports them: otherwise every file with such a word in a docstring would be parsed.
 */
export const PARALLEL_HINT = /multiprocess|concurrent|threading|_thread|Executor|\bPool\b|^[ \t]*(?:from|import)[ \t]+(?:billiard|pathos|joblib|loky|distributed|dask|ray|mpire)\b/m;

export const SHARED_KINDS: ReadonlySet<ObjectKind> = new Set([
  'value', 'array', 'rawValue', 'rawArray', 'proxyValue', 'proxyArray', 'proxyDict', 'proxyList', 'proxyNamespace',
]);
