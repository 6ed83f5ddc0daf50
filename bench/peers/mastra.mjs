// `node mastra.mjs N DIR`: a Mastra workflow of N sequential trivial steps (each returns its input + 1, like adw's
// `noop`), with Mastra's LibSQL storage on a fresh file in DIR, run once. Prints one JSON line (see bench/peers.ts).
// importMs: loading @mastra/core, @mastra/libsql and zod; buildMs: N steps, the workflow, Mastra, the store's init
// (schema); runMs: createRun + start, the part comparable to adw's engine run.
import {DatabaseSync} from 'node:sqlite'
import {join} from 'node:path'

const n = Number(process.argv[2])
const dir = process.argv[3]
if (!(n > 0) || !dir) throw new Error('usage: node mastra.mjs N DIR')

// No usage events to Mastra's telemetry service from a bench (bench/peers.ts sets it too).
process.env.MASTRA_TELEMETRY_DISABLED ??= '1'

const t0 = performance.now()
const [{Mastra}, {createStep, createWorkflow}, {LibSQLStore}, {z}] = await Promise.all([import('@mastra/core'), import('@mastra/core/workflows'), import('@mastra/libsql'), import('zod')])
const t1 = performance.now()

const db = join(dir, `mastra-${n}.db`)
const value = z.object({value: z.number()})
let workflow = createWorkflow({id: 'bench', inputSchema: value, outputSchema: value})
for (let i = 0; i < n; i++) workflow = workflow.then(createStep({id: `s${i}`, inputSchema: value, outputSchema: value, execute: async ({inputData}) => ({value: inputData.value + 1})}))
workflow.commit()
const storage = new LibSQLStore({id: 'bench', url: `file:${db}`})
const mastra = new Mastra({workflows: {bench: workflow}, storage, logger: false})
await storage.init()
// Count the snapshot writes (the engine persists the run's whole snapshot after each step, by default).
const workflows = await storage.getStore('workflows')
const persist = workflows.persistWorkflowSnapshot.bind(workflows)
let snapshotWrites = 0
workflows.persistWorkflowSnapshot = args => (snapshotWrites++, persist(args))
const t2 = performance.now()

const run = await mastra.getWorkflow('bench').createRun()
const result = await run.start({inputData: {value: 0}})
const t3 = performance.now()
if (result.status !== 'success' || result.result?.value !== n) throw new Error(`mastra run ${result.status}: ${JSON.stringify(result.result ?? result.error)}`)
await storage.close()

// Read back what reached the file, with a separate connection: the run's snapshot and its successful steps.
const conn = new DatabaseSync(db, {readOnly: true})
const rows = conn.prepare('SELECT json(snapshot) AS snapshot FROM mastra_workflow_snapshot WHERE run_id = ?').all(run.runId)
conn.close()
const snapshot = rows.length === 1 ? JSON.parse(rows[0].snapshot) : undefined
const stepsRecorded = snapshot ? Object.entries(snapshot.context).filter(([k, v]) => k !== 'input' && v.status === 'success').length : 0

console.log(
  JSON.stringify({
    peer: 'mastra',
    steps: n,
    importMs: t1 - t0,
    buildMs: t2 - t1,
    runMs: t3 - t2,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    rowsOrCheckpoints: {snapshotWrites, snapshotRows: rows.length, stepsRecorded, status: snapshot?.status},
  }),
)
