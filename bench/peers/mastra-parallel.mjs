// `node mastra-parallel.mjs N SLEEP_MS DIR`: a Mastra workflow of N parallel steps (`.parallel([...])`) that each
// sleep SLEEP_MS, with Mastra's LibSQL storage on a fresh file in DIR, run once. Prints one JSON line: runMs is
// createRun + start (see bench/peers.ts, parallelPeers).
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

const [n, sleepMs] = [Number(process.argv[2]), Number(process.argv[3])]
const dir = process.argv[4]
if (!(n > 0) || !(sleepMs >= 0) || !dir) throw new Error('usage: node mastra-parallel.mjs N SLEEP_MS DIR')
process.env.MASTRA_TELEMETRY_DISABLED ??= '1'

const [{Mastra}, {createStep, createWorkflow}, {LibSQLStore}, {z}] = await Promise.all([import('@mastra/core'), import('@mastra/core/workflows'), import('@mastra/libsql'), import('zod')])
const value = z.object({value: z.number()})
const steps = Array.from({length: n}, (_, i) => createStep({id: `s${i}`, inputSchema: value, outputSchema: value, execute: async ({inputData}) => (await sleep(sleepMs), {value: inputData.value + 1})}))
const out = z.object(Object.fromEntries(steps.map(s => [s.id, value])))
const workflow = createWorkflow({id: 'bench', inputSchema: value, outputSchema: out}).parallel(steps).commit()
const storage = new LibSQLStore({id: 'bench', url: `file:${join(dir, `mastra-parallel-${n}.db`)}`})
const mastra = new Mastra({workflows: {bench: workflow}, storage, logger: false})
await storage.init()

const t0 = performance.now()
const run = await mastra.getWorkflow('bench').createRun()
const result = await run.start({inputData: {value: 0}})
const runMs = performance.now() - t0
if (result.status !== 'success') throw new Error(`mastra run ${result.status}: ${JSON.stringify(result.error)}`)
await storage.close()
console.log(JSON.stringify({peer: 'mastra', branches: n, sleepMs, runMs, succeeded: Object.keys(result.result ?? {}).length}))
