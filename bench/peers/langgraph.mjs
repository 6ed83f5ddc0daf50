// `node langgraph.mjs N DIR`: a LangGraph.js StateGraph of N sequential trivial nodes (each returns its input + 1,
// like adw's `noop`), compiled with the SqliteSaver checkpointer on a fresh file in DIR, invoked once with the
// library's default durability ("async": each step's checkpoint is written while the next step runs; all are
// written before invoke resolves). Prints one JSON line (see bench/peers.ts).
// importMs: loading @langchain/langgraph and the SQLite checkpointer; buildMs: the N-node graph, compile, the
// saver (schema); runMs: invoke, the part comparable to adw's engine run.
import {DatabaseSync} from 'node:sqlite'
import {join} from 'node:path'

const n = Number(process.argv[2])
const dir = process.argv[3]
if (!(n > 0) || !dir) throw new Error('usage: node langgraph.mjs N DIR')

const t0 = performance.now()
const [{Annotation, END, START, StateGraph}, {SqliteSaver}] = await Promise.all([import('@langchain/langgraph'), import('@langchain/langgraph-checkpoint-sqlite')])
const t1 = performance.now()

const db = join(dir, `langgraph-${n}.db`)
const State = Annotation.Root({value: Annotation()})
const graph = new StateGraph(State)
for (let i = 0; i < n; i++) graph.addNode(`s${i}`, state => ({value: state.value + 1}))
graph.addEdge(START, 's0')
for (let i = 1; i < n; i++) graph.addEdge(`s${i - 1}`, `s${i}`)
graph.addEdge(`s${n - 1}`, END)
const checkpointer = SqliteSaver.fromConnString(db)
// Workaround, not tuning: the saver prepares statements per call (and better-sqlite3 one per pragma), and with
// better-sqlite3 12.x on Node 24 a statement the GC collects during a microtask aborts the process
// (node::RemoveEnvironmentCleanupHook asserts env != nullptr; node_object_wrap.h). Keeping one statement per SQL
// text alive, for the whole process, avoids that; it only saves the saver some re-preparing (flatters LangGraph).
const [native] = Object.getOwnPropertySymbols(checkpointer.db).map(s => checkpointer.db[s])
const prepared = new Map()
const prepare = native.prepare.bind(native)
native.prepare = (sql, db, pragma) => {
  const key = `${pragma}:${sql}`
  if (!prepared.has(key)) prepared.set(key, prepare(sql, db, pragma))
  return prepared.get(key)
}
const app = graph.compile({checkpointer})
const t2 = performance.now()

const thread = {configurable: {thread_id: 'bench'}}
// recursionLimit counts supersteps (one per node here); the default of 25 stops a longer chain.
const result = await app.invoke({value: 0}, {...thread, recursionLimit: n + 10})
const t3 = performance.now()
if (result.value !== n) throw new Error(`langgraph result ${JSON.stringify(result)}`)
const latest = await checkpointer.getTuple(thread)
checkpointer.db.close()

// Read back what reached the file, with a separate connection.
const conn = new DatabaseSync(db, {readOnly: true})
const count = sql => conn.prepare(sql).get('bench').n
const checkpoints = count('SELECT count(*) AS n FROM checkpoints WHERE thread_id = ?')
const writes = count('SELECT count(*) AS n FROM writes WHERE thread_id = ?')
conn.close()

console.log(
  JSON.stringify({
    peer: 'langgraph',
    steps: n,
    importMs: t1 - t0,
    buildMs: t2 - t1,
    runMs: t3 - t2,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    rowsOrCheckpoints: {checkpoints, writes, lastStep: latest?.metadata?.step, lastValue: latest?.checkpoint?.channel_values?.value},
  }),
)
