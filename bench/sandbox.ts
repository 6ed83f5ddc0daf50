// 8. What the sandbox costs: the agent's Bash tool running `true`, unsandboxed (sandbox: off) and
// under bubblewrap, alternated call by call so both see the same machine load.
import {realpathSync} from 'node:fs'
import {Bash} from '../src/plugins/agent/tools/bash.js'
import {probeSandbox, type SandboxMode} from '../src/sandbox/index.js'
import {median, progress, tempDir, timed} from './lib.js'
import {goal, ms, round, type WorkloadResult} from './report.js'

export async function sandboxedBash(calls: number): Promise<WorkloadResult> {
  progress(`sandbox: ${calls} Bash calls of \`true\`, with and without bwrap`)
  const probe = await probeSandbox()
  if (!probe.ok) throw new Error(`bench 8 needs bubblewrap: ${probe.reason} (apt-get install bubblewrap)`)
  const root = realpathSync(tempDir())
  const call = (mode: SandboxMode) =>
    timed(() => Bash.run({command: 'true'}, {root, signal: new AbortController().signal, env: {PATH: process.env.PATH, HOME: process.env.HOME}, sandbox: {mode, runId: 'bench', warn: () => {}}}))
  await call('on') // the one-time probe is not a per-call cost
  const plain: number[] = []
  const boxed: number[] = []
  for (let i = 0; i < calls; i++) {
    plain.push(await call('off'))
    boxed.push(await call('on'))
  }
  const [p, b] = [median(plain), median(boxed)]
  return {
    id: '8',
    title: 'sandboxed Bash call',
    rows: [
      {measure: 'Bash `true`, sandbox: off (bash -c)', value: ms(p, 2)},
      {measure: 'Bash `true` under bwrap', value: ms(b, 2)},
      goal('cost of the sandbox per Bash call', ms(b - p, 2), '≤ 50 ms', b - p <= 50),
    ],
    data: {calls, samplesOffMs: plain.map(x => round(x, 3)), samplesOnMs: boxed.map(x => round(x, 3)), medianOffMs: round(p, 3), medianOnMs: round(b, 3), costMs: round(b - p, 3)},
  }
}
