/**
 * Messages say what is true of the object kind they flag, consequence first, with a first sentence
 * the Problems panel shows whole, for the rules beyond messages.test.ts: one case per rule and
 * object kind (pool or executor, queue kind, shared-state kind, callable kind, start method), each
 * checking the head, the kind's own consequence, and the absence of claims that belong to another
 * kind. The claims were checked against CPython 3.8-3.13 (see each rule's doc block).
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzePythonSource } from '../../src/analysis';

interface Case {
  rule: string;
  kind: string;
  source: string;
  /** The head: the consequence, first. */
  head: RegExp;
  /** What is specific to this kind. */
  then: RegExp[];
  /** Claims that belong to other kinds. */
  not: RegExp;
  file?: string;
}

async function findings(source: string, rule: string, file = '/w/m.py'): Promise<string[]> {
  return (await analyzePythonSource(source, { file })).filter((f) => f.rule === rule).map((f) => f.message);
}

const firstSentence = (message: string): string => message.slice(0, message.indexOf('. ') + 1);

function run(cases: Case[]): void {
  for (const c of cases) {
    test(`${c.rule} on ${c.kind}: its own consequence, first, briefly`, async () => {
      const messages = await findings(c.source, c.rule, c.file);
      assert.equal(messages.length, 1, JSON.stringify(messages));
      const message = messages[0]!;
      assert.match(message, c.head);
      for (const then of c.then) assert.match(message, then);
      assert.doesNotMatch(message, c.not);
      const first = firstSentence(message);
      assert.ok(first.length > 0 && first.length <= 100, `first sentence of ${first.length} characters: ${first}`);
    });
  }
}

function none(rule: string, kind: string, source: string, file?: string): void {
  test(`${rule} does not flag ${kind}`, async () => {
    assert.deepEqual(await findings(source, rule, file), []);
  });
}

// ---------------------------------------------------------------- busy-wait-queue

const poll = (setup: string, loop = 'while q.empty():\n        pass', prefix = 'def'): string =>
  `import asyncio\nimport multiprocessing as mp\nimport queue\nimport time\n\n\n${prefix} consume():\n    ${setup}\n    ${loop}\n    return q.get()\n`;

run([
  { rule: 'busy-wait-queue', kind: 'a multiprocessing.Queue, spinning', source: poll('q = mp.Queue()'), head: /^Busy wait: this loop burns a CPU core while the queue is empty\./, then: [/feeder thread/, /Block on `q\.get\(\)`/], not: /latency|manager|event loop/i },
  { rule: 'busy-wait-queue', kind: 'a JoinableQueue, sleeping', source: poll('q = mp.JoinableQueue()', 'while q.empty():\n        time.sleep(0.1)'), head: /^Polling adds latency: each item can wait up to a full sleep/, then: [/feeder thread/], not: /burns|manager|event loop/i },
  { rule: 'busy-wait-queue', kind: 'a SimpleQueue, sleeping', source: poll('q = mp.SimpleQueue()', 'while q.empty():\n        time.sleep(0.1)'), head: /^Polling adds latency/, then: [/Block on `q\.get\(\)`/], not: /feeder|burns|manager/ },
  { rule: 'busy-wait-queue', kind: 'a Manager queue, spinning', source: poll('q = mp.Manager().Queue()'), head: /^Busy wait: this loop burns CPU here and in the manager process/, then: [/round trip to the manager/], not: /feeder|latency/ },
  { rule: 'busy-wait-queue', kind: 'a queue.Queue, spinning with continue', source: poll('q = queue.Queue()', 'while True:\n        if q.empty():\n            continue\n        break'), head: /^Busy wait: this loop burns a CPU core/, then: [/`q\.empty\(\)` sends the loop around again/], not: /feeder|manager|event loop/i },
  { rule: 'busy-wait-queue', kind: 'an asyncio.Queue polled without awaiting', source: poll('q = asyncio.Queue()', 'while q.empty():\n        time.sleep(0.01)', 'async def'), head: /^Event loop blocked: this coroutine polls the queue without awaiting/, then: [/`await q\.get\(\)`/], not: /burns|feeder|latency/ },
  { rule: 'busy-wait-queue', kind: 'a queue.Queue polled in a coroutine without awaiting', source: poll('q = queue.Queue()', 'while q.empty():\n        pass', 'async def'), head: /^Event loop blocked: this coroutine polls the queue without ever awaiting\./, then: [/`asyncio\.Queue`/, /run_in_executor/], not: /Block on|feeder|latency/ },
  { rule: 'busy-wait-queue', kind: 'an asyncio.Queue polled with await asyncio.sleep', source: poll('q = asyncio.Queue()', 'while q.empty():\n        await asyncio.sleep(0.01)', 'async def'), head: /^Polling adds latency/, then: [/`await q\.get\(\)`/], not: /blocked|feeder|burns/ },
]);

// ---------------------------------------------------------------- discarded-task-result

const dropped = (setup: string, call: string): string => `${setup}\n\ndef fail(x):\n    raise ValueError(x)\n\n\ndef main(p):\n    ${call}\n    return 1\n`;
const ASYNC_RESULT = { head: /^Failures of this task are lost: its `AsyncResult` is dropped and there is no `error_callback`\./, then: [/nothing is printed/, /call `get\(\)`, or pass `error_callback=`/], not: /Future/ };
const FUTURE = { head: /^Failures of this task are lost: its `Future` is dropped\./, then: [/nothing is printed/, /call `result\(\)`/], not: /AsyncResult|error_callback/ };

run([
  { rule: 'discarded-task-result', kind: 'Pool.apply_async', source: dropped('from multiprocessing import Pool', 'with Pool() as pool:\n        pool.apply_async(fail, (1,))'), ...ASYNC_RESULT },
  { rule: 'discarded-task-result', kind: 'Pool.map_async', source: dropped('from multiprocessing import Pool', 'with Pool() as pool:\n        pool.map_async(fail, [1])'), ...ASYNC_RESULT },
  { rule: 'discarded-task-result', kind: 'ThreadPool.apply_async', source: dropped('from multiprocessing.pool import ThreadPool', 'with ThreadPool() as pool:\n        pool.apply_async(fail, (1,))'), ...ASYNC_RESULT },
  { rule: 'discarded-task-result', kind: 'ProcessPoolExecutor.submit', source: dropped('from concurrent.futures import ProcessPoolExecutor', 'with ProcessPoolExecutor() as ex:\n        ex.submit(fail, 1)'), ...FUTURE },
  { rule: 'discarded-task-result', kind: 'Pool.imap never iterated', source: dropped('from multiprocessing import Pool', 'with Pool() as pool:\n        pool.imap(fail, [1])'), head: /^Failures of these tasks are lost: the iterator `imap` returns is never iterated\./, then: [/nothing is printed/, /Iterate the results/], not: /AsyncResult|Future|error_callback/ },
  { rule: 'discarded-task-result', kind: 'Dask Client.submit', source: dropped('from distributed import Client', 'with Client() as client:\n        client.submit(fail, 1)'), head: /^Task may never run and its failure is lost: its Dask `Future` is dropped\./, then: [/cancelled if it has not started/, /Compute Failed/, /fire_and_forget/], not: /AsyncResult|error_callback/ },
  { rule: 'discarded-task-result', kind: 'ThreadPoolExecutor.submit', source: dropped('from concurrent.futures import ThreadPoolExecutor', 'with ThreadPoolExecutor() as ex:\n        ex.submit(fail, 1)'), ...FUTURE },
]);

// ---------------------------------------------------------------- iterator-outlives-pool

const outlives = (setup: string, body: string): string => `${setup}\n\n\ndef work(x):\n    return x\n\n\ndef main(xs):\n${body}`;

run([
  { rule: 'iterator-outlives-pool', kind: 'a Pool imap iterator used after the block', source: outlives('from multiprocessing import Pool', '    with Pool() as pool:\n        it = pool.imap(work, xs)\n    for r in it:\n        print(r)\n'), head: /^May block forever: these results are read after the `with` block that terminated the pool\./, then: [/worker processes are killed/, /iterating it then blocks forever/], not: /thread pool|get\(\)` then/ },
  { rule: 'iterator-outlives-pool', kind: 'a ThreadPool AsyncResult used after the block', source: outlives('from multiprocessing.pool import ThreadPool', '    with ThreadPool() as pool:\n        res = pool.apply_async(work, (1,))\n    return res.get()\n'), head: /^May block forever:/, then: [/thread pool drops the tasks not yet started/, /`get\(\)` then blocks forever/], not: /killed|iterating/ },
  { rule: 'iterator-outlives-pool', kind: 'a Pool map_async result returned out of the block', source: outlives('from multiprocessing import Pool', '    with Pool() as pool:\n        return pool.map_async(work, xs)\n'), head: /^May block forever: the results leave the `with` block that terminates the pool\./, then: [/AsyncResult/, /worker processes are killed/], not: /thread pool|iterating/ },
]);
none('iterator-outlives-pool', 'a ProcessPoolExecutor (its with waits for every task)', outlives('from concurrent.futures import ProcessPoolExecutor', '    with ProcessPoolExecutor() as ex:\n        it = ex.map(work, xs)\n    for r in it:\n        print(r)\n'));

// ---------------------------------------------------------------- join-before-drain

const joined = (create: string): string => `import multiprocessing as mp\n\n\ndef work(q):\n    q.put([0] * 1_000_000)\n\n\nif __name__ == "__main__":\n    q = ${create}\n    p = mp.Process(target=work, args=(q,))\n    p.start()\n    p.join()\n    data = q.get()\n`;
const FEEDER = { head: /^Deadlock once the data outgrows the pipe: the child is joined before its queue is read\./, then: [/feeder thread/, /64 KiB on Linux/, /Read the queue first, then join/], not: /SimpleQueue/ };

run([
  { rule: 'join-before-drain', kind: 'a multiprocessing.Queue', source: joined('mp.Queue()'), ...FEEDER },
  { rule: 'join-before-drain', kind: 'a JoinableQueue', source: joined('mp.JoinableQueue()'), ...FEEDER },
  { rule: 'join-before-drain', kind: 'a SimpleQueue (no feeder thread)', source: joined('mp.SimpleQueue()'), head: FEEDER.head, then: [/`SimpleQueue` writes straight into the pipe/, /`put\(\)` blocks once the pipe is full/], not: /feeder/ },
]);
none('join-before-drain', 'a Manager queue (a proxy without a feeder thread)', joined('mp.Manager().Queue()'));

// ---------------------------------------------------------------- stale-global-in-worker

const staleSource = (globals: string, fn: string, main: string): string => `import multiprocessing as mp\nfrom concurrent.futures import ProcessPoolExecutor\n\n${globals}\n\n\n${fn}\n\n\n${main}`;
const WORK = 'def work(x):\n    return x * SCALE';
const POOL_MAIN = 'if __name__ == "__main__":\n    SCALE = 10\n    with mp.Pool() as pool:\n        print(pool.map(work, range(5)))\n';

run([
  { rule: 'stale-global-in-worker', kind: 'a Pool whose task reads a global set under the main guard', source: staleSource('SCALE = 1', WORK, POOL_MAIN), head: /^Stale value under spawn and forkserver: workers see the import-time value\./, then: [/re-import the module/, /initializer/], not: /NameError|forked with|Process `args`/ },
  { rule: 'stale-global-in-worker', kind: 'a Pool whose task reads a global with no import-time value', source: staleSource('', WORK, POOL_MAIN), head: /^NameError under spawn and forkserver: this global is only set at run time in the parent\./, then: [/no value at all \(NameError\)/], not: /import-time value|forked with/ },
  { rule: 'stale-global-in-worker', kind: 'a Pool whose task reads a global container changed in place', source: staleSource('SETTINGS = {}', 'def work(x):\n    return SETTINGS["k"] * x', 'if __name__ == "__main__":\n    SETTINGS.update(k=2)\n    with mp.Pool() as pool:\n        pool.map(work, [1])\n'), head: /^Stale value under spawn and forkserver: workers see the import-time contents\./, then: [/changed \(in place\)/], not: /NameError|forked with/ },
  { rule: 'stale-global-in-worker', kind: 'a Process target', source: staleSource('SCALE = 1', 'def child():\n    print(SCALE)', 'if __name__ == "__main__":\n    SCALE = 10\n    p = mp.Process(target=child)\n    p.start()\n'), head: /^Stale value under spawn and forkserver: the child sees the import-time value\./, then: [/Process `args`/], not: /initializer|pool/ },
  { rule: 'stale-global-in-worker', kind: 'a fork Pool reassigned after creation', source: staleSource('SCALE = 1', WORK, 'def main():\n    global SCALE\n    pool = mp.get_context("fork").Pool(2)\n    SCALE = 3\n    return pool.map(work, [1])\n'), head: /^Workers keep a stale value: this global changes after they were forked\./, then: [/after the pool was created/], not: /spawn|executor/ },
  { rule: 'stale-global-in-worker', kind: 'a fork ProcessPoolExecutor reassigned after its first submit', source: staleSource('SCALE = 1', WORK, 'def main():\n    global SCALE\n    ex = ProcessPoolExecutor(mp_context=mp.get_context("fork"))\n    ex.submit(work, 1)\n    SCALE = 3\n    return ex.submit(work, 2)\n'), head: /^Workers keep a stale value/, then: [/after the executor started its workers \(at its first submit\)/], not: /spawn|pool was created/ },
  { rule: 'stale-global-in-worker', kind: 'a Pool of the default start method reassigned after creation', source: staleSource('SCALE = 1', WORK, 'def main():\n    global SCALE\n    pool = mp.Pool(2)\n    SCALE = 3\n    return pool.map(work, [1])\n'), head: /^No worker sees this change: the global changes after the workers started\./, then: [/forked workers keep the value/, /under spawn and forkserver/], not: /NameError/ },
]);
none('stale-global-in-worker', 'a global set before a fork ProcessPoolExecutor first submits (its workers are forked then)', staleSource('SCALE = 1', WORK, 'def main():\n    global SCALE\n    ex = ProcessPoolExecutor(mp_context=mp.get_context("fork"))\n    SCALE = 3\n    return ex.submit(work, 1)\n'));

// ---------------------------------------------------------------- unlocked-shared-counter

const counter = (create: string, update: string, submit = 'pool.map(work, range(4))', imports = ''): string =>
  `import multiprocessing as mp\nimport threading\n${imports}\n\ndef init(v):\n    global shared\n    shared = v\n\n\ndef work(x):\n    ${update}\n\n\ndef main():\n    obj = ${create}\n    with mp.Pool(4, initializer=init, initargs=(obj,)) as pool:\n        ${submit}\n`;
const proxy = (create: string, update: string): string => `import multiprocessing as mp\n\n\ndef work(obj, x):\n    ${update}\n\n\ndef main():\n    m = mp.Manager()\n    obj = ${create}\n    with mp.Pool(4) as pool:\n        pool.starmap(work, [(obj, 1), (obj, 2)])\n`;

run([
  { rule: 'unlocked-shared-counter', kind: 'a synchronized Value', source: counter('mp.Value("i", 0)', 'shared.value += 1'), head: /^Updates can be lost: a shared `Value` is read-modify-written without a lock\./, then: [/guards each read and each write, not the pair/, /Hold `shared\.get_lock\(\)` around it/], not: /manager|thread switch|no lock of its own/i },
  { rule: 'unlocked-shared-counter', kind: 'a synchronized Array element', source: counter('mp.Array("i", 4)', 'shared[0] += 1'), head: /^Updates can be lost: a shared `Array` element is read-modify-written/, then: [/Hold `shared\.get_lock\(\)`/], not: /manager|thread switch|no lock of its own/i },
  { rule: 'unlocked-shared-counter', kind: 'a Value created with lock=False', source: counter('mp.Value("i", 0, lock=False)', 'shared.value += 1'), head: /^Updates can be lost: a shared `Value` \(`lock=False`\)/, then: [/no lock of its own \(no `get_lock\(\)`\)/, /`initargs`, or the `Process` args/], not: /Hold `|manager|thread switch/ },
  { rule: 'unlocked-shared-counter', kind: 'a RawValue', source: counter('mp.RawValue("i", 0)', 'shared.value += 1'), head: /^Updates can be lost: a shared `RawValue`/, then: [/no lock of its own/], not: /Hold `|manager|thread switch/ },
  { rule: 'unlocked-shared-counter', kind: 'a RawArray element', source: counter('mp.RawArray("i", 4)', 'shared[0] += 1'), head: /^Updates can be lost: a shared `RawArray` element/, then: [/no lock of its own/], not: /Hold `|manager|thread switch/ },
  { rule: 'unlocked-shared-counter', kind: 'a Manager dict proxy', source: proxy('m.dict()', 'obj["k"] += 1'), head: /^Updates can be lost: a Manager `dict` proxy/, then: [/two separate calls to the manager process/, /`manager\.Lock\(\)`/], not: /Hold `|thread switch|no lock of its own/ },
  { rule: 'unlocked-shared-counter', kind: 'a Manager Namespace proxy', source: proxy('m.Namespace()', 'obj.x += 1'), head: /^Updates can be lost: a Manager `Namespace` proxy/, then: [/two separate calls to the manager/], not: /Hold `|thread switch/ },
  { rule: 'unlocked-shared-counter', kind: 'a Manager Value proxy', source: proxy('m.Value("i", 0)', 'obj.value += 1'), head: /^Updates can be lost: a Manager `Value` proxy/, then: [/proxies have no `get_lock\(\)`/], not: /Hold `|thread switch/ },
  { rule: 'unlocked-shared-counter', kind: 'a module global updated by threads', source: 'import threading\n\ncount = 0\n\n\ndef work():\n    global count\n    count += 1\n\n\nts = [threading.Thread(target=work) for _ in range(4)]\n', head: /^Updates can be lost: a module global is read-modify-written without a lock\./, then: [/thread switch/, /the GIL does not make the pair atomic/, /`threading\.Lock\(\)`/], not: /manager|get_lock|process/i },
  { rule: 'unlocked-shared-counter', kind: 'a module-level dict updated by a thread pool', source: 'from concurrent.futures import ThreadPoolExecutor\n\ntable = {}\n\n\ndef work(k):\n    table[k] = table.get(k, 0) + 1\n\n\nwith ThreadPoolExecutor() as ex:\n    ex.map(work, "abc")\n', head: /^Updates can be lost: a module-level container is read-modify-written/, then: [/thread switch/], not: /manager|get_lock/ },
  { rule: 'unlocked-shared-counter', kind: 'a lock created in the with statement', source: counter('mp.Value("i", 0)', 'with threading.Lock():\n        shared.value += 1'), head: /^Updates can be lost: the lock is created anew each time, so it excludes no other worker\./, then: [/between processes, a `multiprocessing` or Manager lock/], not: /AttributeError/ },
  { rule: 'unlocked-shared-counter', kind: 'get_lock() on a Manager proxy', source: proxy('m.Value("i", 0)', 'with obj.get_lock():\n        obj.value += 1'), head: /^Fails with AttributeError: Manager proxies have no `get_lock\(\)`\./, then: [/`manager\.Lock\(\)`/], not: /created anew/ },
]);

// ---------------------------------------------------------------- unserializable-argument

const argument = (setup: string, create: string, call: string, pool = 'mp.Pool()'): string =>
  `import multiprocessing as mp\nimport sqlite3\nimport threading\nfrom concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor\nfrom multiprocessing.pool import ThreadPool\n${setup}\n\ndef work(*args):\n    return args\n\n\ndef gen():\n    yield 1\n\n\ndef main():\n    obj = ${create}\n    with ${pool} as pool:\n        return ${call}\n`;
const INHERIT = /only by inheritance: pass it through the pool's `initializer`\/`initargs`/;
const arg = (kind: string, create: string, head: RegExp, then: RegExp[], not: RegExp, call = 'pool.map(work, [obj])', pool?: string): Case =>
  ({ rule: 'unserializable-argument', kind, source: argument('', create, call, pool), head, then, not });

run([
  arg('a multiprocessing.Lock to Pool.map', 'mp.Lock()', /^Task fails before it runs: a `multiprocessing\.Lock` cannot be pickled \(RuntimeError\)\./, [INHERIT, /`Manager\(\)\.Lock\(\)` proxy/, /`map` raises it/], /TypeError|NotImplementedError/),
  arg('a multiprocessing.Event to Pool.apply_async', 'mp.Event()', /^Task fails before it runs: a `multiprocessing\.Event` cannot be pickled \(RuntimeError\)\./, [/`Manager\(\)\.Event\(\)`/, /`get\(\)` raises it/], /TypeError/, 'pool.apply_async(work, (obj,)).get()'),
  arg('a threading.Lock to ProcessPoolExecutor.submit', 'threading.Lock()', /^Task fails before it runs: a `threading\.Lock` cannot be pickled \(TypeError\)\./, [/cannot coordinate processes/, /the Future's `result\(\)` raises it/], /RuntimeError|inheritance/, 'pool.submit(work, obj).result()', 'ProcessPoolExecutor()'),
  arg('a multiprocessing.Queue to Pool.imap', 'mp.Queue()', /^Task fails before it runs: a `multiprocessing\.Queue` cannot be pickled \(RuntimeError\)\./, [INHERIT, /`Manager\(\)\.Queue\(\)`/, /iterating the results raises it/], /TypeError/, 'list(pool.imap(work, [obj]))'),
  arg('a JoinableQueue', 'mp.JoinableQueue()', /a `multiprocessing\.JoinableQueue` cannot be pickled \(RuntimeError\)/, [/`Manager\(\)\.JoinableQueue\(\)`/], /TypeError/),
  arg('a SimpleQueue', 'mp.SimpleQueue()', /a `multiprocessing\.SimpleQueue` cannot be pickled \(RuntimeError\)/, [INHERIT, /`Manager\(\)\.Queue\(\)`/], /TypeError|Manager\(\)\.SimpleQueue/),
  arg('a synchronized Value to ProcessPoolExecutor.map', 'mp.Value("i", 0)', /^Task fails before it runs: a shared `multiprocessing\.Value` cannot be pickled \(RuntimeError\)\./, [INHERIT, /iterating the results raises it/], /TypeError|Manager/, 'list(pool.map(work, [obj]))', 'ProcessPoolExecutor()'),
  arg('a RawArray', 'mp.RawArray("i", 3)', /a shared `multiprocessing\.RawArray` cannot be pickled \(RuntimeError\)/, [INHERIT], /TypeError/),
  arg('an open file', 'open("data.txt")', /^Task fails before it runs: an open file cannot be pickled \(TypeError\)\./, [/pass the path and open the file in the worker/], /RuntimeError|inheritance/),
  arg('a sqlite3 connection', 'sqlite3.connect(":memory:")', /^Task fails before it runs: a `sqlite3` connection cannot be pickled \(TypeError\)\./, [/connect inside the worker/], /RuntimeError|inheritance/),
  arg('a generator', 'gen()', /^Task fails before it runs: a generator cannot be pickled \(TypeError\)\./, [/pass a list/], /RuntimeError|inheritance/),
  arg('a ThreadPool', 'ThreadPool(2)', /^Task fails before it runs: a `ThreadPool` cannot be pickled \(NotImplementedError\)\./, [/submit follow-up work from the parent/], /TypeError|RuntimeError/),
  arg('a ThreadPoolExecutor', 'ThreadPoolExecutor()', /^Task fails before it runs: a `ThreadPoolExecutor` cannot be pickled \(TypeError\)\./, [/executor holds thread locks/], /NotImplementedError|RuntimeError/),
]);
none('unserializable-argument', 'a lock passed to a ThreadPoolExecutor (threads do not pickle)', argument('', 'threading.Lock()', 'pool.submit(work, obj).result()', 'ThreadPoolExecutor()'));
none('unserializable-argument', 'a Manager lock proxy', argument('', 'mp.Manager().Lock()', 'pool.map(work, [obj])'));

// ---------------------------------------------------------------- unserializable-callable

const callable = (pre: string, body: string): string =>
  `import functools\nimport multiprocessing as mp\nimport threading\nfrom concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor\nfrom multiprocessing.pool import ThreadPool\n\n${pre}\n\ndef main(xs):\n${body}`;
const LOCAL = /AttributeError: Can't pickle local object; PicklingError from Python 3\.14/;
const cc = (kind: string, pre: string, body: string, head: RegExp, then: RegExp[], not: RegExp, file?: string): Case =>
  ({ rule: 'unserializable-callable', kind, source: callable(pre, body), head, then, not, ...(file ? { file } : {}) });
const NESTED = '    def nested(x):\n        return x\n\n';
const LOCAL_CLASS = '    class Local:\n        def m(self, x):\n            return x\n\n';

run([
  { rule: 'unserializable-callable', kind: 'a module-level lambda', source: 'import multiprocessing as mp\n\nif __name__ == "__main__":\n    with mp.Pool() as pool:\n        pool.map(lambda x: x, [1])\n', head: /^Task fails before it runs: a lambda cannot be pickled \(PicklingError\)\./, then: [/a lambda has none/, /`map` raises it/, /use a module-level function/], not: /AttributeError|local object/ },
  cc('a lambda inside a function', '', '    with mp.Pool() as pool:\n        return pool.map(lambda x: x, xs)\n', /^Task fails before it runs: a lambda cannot be pickled\./, [LOCAL, /defined inside `main`/], /\(PicklingError\)\./),
  cc('a nested function', '', `${NESTED}    with ProcessPoolExecutor() as ex:\n        return ex.submit(nested, 1).result()\n`, /^Task fails before it runs: a nested function cannot be pickled\./, [LOCAL, /the Future's `result\(\)` raises it/, /define it at module level/], /\(PicklingError\)\.|lambda/),
  cc('a local class', '', `${LOCAL_CLASS}    with mp.Pool() as pool:\n        return pool.map(Local, xs)\n`, /^Task fails before it runs: a local class cannot be pickled\./, [LOCAL, /define the class at module level/], /lambda|instance/),
  cc('an instance of a local class', '', `${LOCAL_CLASS}    with mp.Pool() as pool:\n        return pool.map(Local(), xs)\n`, /^Task fails before it runs: a local class's instance cannot be pickled\./, [/an instance is pickled with a reference to its class/, LOCAL], /lambda/),
  cc('a method of a local class', '', `${LOCAL_CLASS}    with mp.Pool() as pool:\n        return pool.map(Local().m, xs)\n`, /^Task fails before it runs: a local class's method cannot be pickled\./, [/a method is pickled with a reference to its class/, LOCAL], /lambda/),
  cc('a function replaced by a decorator without functools.wraps', 'def logged(fn):\n    def wrapper(*a):\n        return fn(*a)\n    return wrapper\n\n\n@logged\ndef work(x):\n    return x\n\n', '    with mp.Pool() as pool:\n        return pool.map(work, xs)\n', /^Task fails before it runs: a decorated function cannot be pickled\./, [/without `functools\.wraps`/, /decorate `wrapper` with `@functools\.wraps\(\.\.\.\)`/], /lambda|\(PicklingError\)\./),
  cc('a partial of a nested function', '', `${NESTED}    with mp.Pool() as pool:\n        return pool.map(functools.partial(nested, 1), xs)\n`, /^Task fails before it runs: a `partial` of a nested function cannot be pickled\./, [/`functools\.partial` of nested function `nested`/, LOCAL], /lambda/),
  cc('a bound method whose instance holds a thread lock', 'class Holder:\n    def __init__(self):\n        self.lock = threading.Lock()\n\n    def work(self, x):\n        return x\n\n', '    h = Holder()\n    with ProcessPoolExecutor() as ex:\n        return list(ex.map(h.work, xs))\n', /^Task fails before it runs: a bound method cannot be pickled \(TypeError\)\./, [/whose `lock` attribute is a `threading\.Lock`/, /iterating the results raises it/], /local object|NotImplementedError/),
  cc('a bound method whose instance holds a Pool', 'class Holder:\n    def __init__(self):\n        self.pool = mp.Pool(2)\n\n    def work(self, x):\n        return x\n\n', '    h = Holder()\n    with ProcessPoolExecutor() as ex:\n        return list(ex.map(h.work, xs))\n', /^Task fails before it runs: a bound method cannot be pickled \(NotImplementedError\)\./, [/whose `pool` attribute is a `Pool`/], /TypeError|local object/),
  cc('a Process target, start method not set', '', `${NESTED}    p = mp.Process(target=nested)\n    p.start()\n`, /^`start\(\)` fails under spawn and forkserver: the target cannot be pickled\./, [LOCAL, /Spawn is the default on macOS and Windows/], /Task fails|initializer/),
  cc('a Process target of a spawn context', '', `${NESTED}    p = mp.get_context("spawn").Process(target=nested)\n    p.start()\n`, /^`start\(\)` fails: the target cannot be pickled\./, [LOCAL], /under spawn|Spawn is the default/),
  cc('a Pool initializer', '', `${NESTED}    with mp.Pool(2, initializer=nested) as pool:\n        return pool.map(abs, xs)\n`, /^Creating the pool fails under spawn and forkserver: the initializer cannot be pickled\./, [LOCAL], /submit|target/),
  cc('a ProcessPoolExecutor initializer', '', `${NESTED}    with ProcessPoolExecutor(initializer=nested) as ex:\n        return list(ex.map(abs, xs))\n`, /^The first `submit\(\)` fails under spawn and forkserver: the initializer cannot be pickled\./, [LOCAL], /Creating the pool|target/),
]);
// Backends (docs/backends.md): what each one's serialiser and pool really do.
run([
  { rule: 'unserializable-callable', kind: 'a nested function given to torch.multiprocessing.spawn', source: `import torch.multiprocessing as tmp\n\n\ndef main():\n${NESTED.replace('nested(x)', 'nested(rank)').replace('return x', 'return rank')}    tmp.spawn(nested, nprocs=2)\n`, head: /^`spawn\(\)` fails: the function cannot be pickled\./, then: [LOCAL, /define it at module level/], not: /start\(\)|under spawn and forkserver/ },
  { rule: 'unguarded-entry-point', kind: 'torch.multiprocessing.spawn at import time', source: 'import torch.multiprocessing as tmp\n\n\ndef run(rank):\n    return rank\n\n\ntmp.spawn(run, nprocs=2)\n', head: /^Processes started at import time: torch spawns them on any OS and each child re-runs it and fails\./, then: [/ProcessExitedException/], not: /under spawn and forkserver/ },
  { rule: 'unserializable-callable', kind: 'a lambda sent to a billiard Pool', source: 'import billiard\n\n\ndef main(xs):\n    with billiard.Pool(2) as pool:\n        return pool.map(lambda x: x, xs)\n', head: /^Task fails before it runs: a lambda cannot be pickled\./, then: [/billiard \(4\.1\) may never deliver its result/, /wait forever/], not: /`map` raises it/ },
  { rule: 'unserializable-argument', kind: 'a generator sent to a multiprocess Pool (dill)', source: 'import multiprocess\n\n\ndef gen():\n    yield 1\n\n\ndef work(g):\n    return g\n\n\ndef main():\n    with multiprocess.Pool(2) as pool:\n        return pool.map(work, [gen()])\n', head: /^Task fails before it runs: a generator cannot be pickled by dill \(TypeError\)\./, then: [/pass a list/], not: /cloudpickle/ },
  { rule: 'unserializable-argument', kind: 'an object holding a thread lock sent to Dask', source: 'import threading\n\nfrom distributed import Client\n\n\nclass Session:\n    def __init__(self):\n        self._lock = threading.Lock()\n\n\nclass Loader:\n    def __init__(self):\n        self.session = Session()\n\n\ndef work(x):\n    return x\n\n\ndef main():\n    loader = Loader()\n    with Client() as client:\n        return client.submit(work, loader).result()\n', head: /^Task fails before it runs: a `threading\.Lock` cannot be pickled by cloudpickle \(TypeError\)\./, then: [/`loader\.session\._lock`/, /`submit` raises it/, /`distributed\.Lock`/], not: /Manager/ },
  { rule: 'unguarded-entry-point', kind: 'a Dask Client() at import time', source: 'from distributed import Client\n\nclient = Client()\n', head: /^Dask cluster started at import time: Dask spawns workers on any OS and each re-runs it and fails\./, then: [/Failed to start process/, /keep restarting workers/], not: /under spawn and forkserver/ },
]);
none('unserializable-callable', 'a lambda given to joblib (cloudpickle sends it by value)', 'from joblib import Parallel, delayed\n\n\ndef main(xs):\n    return Parallel(n_jobs=2)(delayed(lambda x: x)(x) for x in xs)\n');
none('unguarded-entry-point', 'a module-level joblib Parallel (loky workers never run the main module)', 'from joblib import Parallel, delayed\n\n\ndef f(x):\n    return x\n\n\nParallel(n_jobs=2)(delayed(f)(x) for x in range(4))\n');
none('unserializable-callable', 'a lambda sent to a ThreadPoolExecutor (threads do not pickle)', callable('', '    with ThreadPoolExecutor() as ex:\n        return list(ex.map(lambda x: x, xs))\n'));
none('unserializable-callable', 'a lambda sent to a ThreadPool', callable('', '    with ThreadPool() as pool:\n        return pool.map(lambda x: x, xs)\n'));
none('unserializable-callable', 'a nested function as the target of a fork Process', callable('', `${NESTED}    p = mp.get_context("fork").Process(target=nested)\n    p.start()\n`));

const notebook = (body: string): string => `import multiprocessing as mp\nfrom concurrent.futures import ProcessPoolExecutor\n\ndef square(x=0):\n    return x * x\n\nctx = mp.get_context("spawn")\n${body}`;
const NOTEBOOK = /`square` is defined in the notebook, that is in the kernel's `__main__`: each worker re-imports `__main__`/;
run([
  { rule: 'unserializable-callable', kind: 'a notebook function sent to a spawn Pool', file: '/w/nb.ipynb', source: notebook('with ctx.Pool(2) as pool:\n    pool.map(square, range(4))\n'), head: /^Pool hangs: its spawn workers die loading a task defined in a notebook\./, then: [NOTEBOOK, /Can't get attribute 'square'/], not: /BrokenProcessPool|launcher/ },
  { rule: 'unserializable-callable', kind: 'a notebook function sent to a forkserver executor', file: '/w/nb.ipynb', source: notebook('with ProcessPoolExecutor(mp_context=mp.get_context("forkserver")) as ex:\n    list(ex.map(square, [1]))\n'), head: /^Executor breaks \(BrokenProcessPool\): its forkserver workers cannot load notebook functions\./, then: [NOTEBOOK], not: /hangs|launcher/ },
  { rule: 'unserializable-callable', kind: 'a notebook function as a spawn Process target', file: '/w/nb.ipynb', source: notebook('p = ctx.Process(target=square)\np.start()\n'), head: /^Child process dies at start: a spawn child cannot load a function defined in a notebook\./, then: [NOTEBOOK], not: /hangs|BrokenProcessPool|launcher/ },
  { rule: 'unserializable-callable', kind: 'a notebook initializer of a spawn Pool', file: '/w/nb.ipynb', source: notebook('with ctx.Pool(2, initializer=square) as pool:\n    pass\n'), head: /^Pool hangs: its spawn workers die loading an initializer defined in a notebook\./, then: [NOTEBOOK], not: /BrokenProcessPool/ },
]);
