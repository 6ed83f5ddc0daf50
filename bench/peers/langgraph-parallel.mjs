// `node langgraph-parallel.mjs N SLEEP_MS DIR`: a LangGraph.js StateGraph of N nodes that all start from START (one
// superstep, run concurrently) and each sleep SLEEP_MS, with the SqliteSaver checkpointer on a fresh file in DIR,
// invoked once. Prints one JSON line: runMs is invoke (see bench/peers.ts, parallelPeers).
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

const [n, sleepMs] = [Number(process.argv[2]), Number(process.argv[3])]
const dir = process.argv[4]
if (!(n > 0) || !(sleepMs >= 0) || !dir) throw new Error('usage: node langgraph-parallel.mjs N SLEEP_MS DIR')

const [{Annotation, END, START, StateGraph}, {SqliteSaver}] = await Promise.all([import('@langchain/langgraph'), import('@langchain/langgraph-checkpoint-sqlite')])
// Each branch adds 1: a reducer sums what parallel nodes write in one superstep.
const State = Annotation.Root({value: Annotation({reducer: (a, b) => a + b, default: () => 0})})
const graph = new StateGraph(State)
for (let i = 0; i < n; i++) {
  graph.addNode(`s${i}`, async () => (await sleep(sleepMs), {value: 1}))
  graph.addEdge(START, `s${i}`)
  graph.addEdge(`s${i}`, END)
}
const checkpointer = SqliteSaver.fromConnString(join(dir, `langgraph-parallel-${n}.db`))
// The same statement-cache workaround as langgraph.mjs (better-sqlite3 12.x on Node 24).
const [native] = Object.getOwnPropertySymbols(checkpointer.db).map(s => checkpointer.db[s])
const prepared = new Map()
const prepare = native.prepare.bind(native)
native.prepare = (sql, db, pragma) => {
  const key = `${pragma}:${sql}`
  if (!prepared.has(key)) prepared.set(key, prepare(sql, db, pragma))
  return prepared.get(key)
}
const app = graph.compile({checkpointer})

const t0 = performance.now()
const result = await app.invoke({value: 0}, {configurable: {thread_id: 'bench'}})
const runMs = performance.now() - t0
if (result.value !== n) throw new Error(`langgraph result ${JSON.stringify(result)}`)
checkpointer.db.close()
console.log(JSON.stringify({peer: 'langgraph', branches: n, sleepMs, runMs, succeeded: result.value}))
