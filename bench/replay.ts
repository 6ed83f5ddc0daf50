// Workload "replay": `adw replay` of a recorded 50-turn agent run against the run itself. The run is
// recorded against the fake Messages API with a realistic latency per turn (the real API takes seconds
// per call); the replay answers from the recording through the real SDK and the real launcher, so it
// costs adw's start, a git worktree and the tool calls. Goal (issue 21): the replay ≥ 50× faster. 2 s a turn
// is on the fast side of a real tool-use turn (time to first token plus the answer streaming).
import {execFileSync} from 'node:child_process'
import {DatabaseSync} from 'node:sqlite'
import {join} from 'node:path'

import {reply, startFakeAnthropic} from '../test/helpers/fake-anthropic.js'
import {ADW, childEnv, median, mustRun, progress, tempDir, writeFile} from './lib.js'
import {goal, ms, ratio, round, type WorkloadResult} from './report.js'

export async function replayBench(turns: number, turnMs: number, reps: number): Promise<WorkloadResult> {
  progress(`replay: a ${turns}-turn agent run at ${turnMs} ms a turn, then ${reps} replays`)
  const dir = tempDir('adw-bench-replay-')
  writeFile(join(dir, 'README.md'), '# bench\n')
  writeFile(join(dir, '.gitignore'), '*.db*\n.adw/\n')
  writeFile(join(dir, 'long.yaml'), `name: long\nsteps:\n  - id: work\n    uses: agent\n    with: {prompt: "Read the README ${turns - 1} times, then answer", maxTurns: ${turns + 5}, tools: [Read, Glob]}\n`)
  const git = (...a: string[]) => execFileSync('git', a, {cwd: dir, stdio: 'ignore', env: {...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@x'}})
  git('init', '-q', '-b', 'main')
  git('add', '-A')
  git('commit', '-q', '-m', 'init')
  // ~8 SSE events a reply: the pause between them makes a turn take about turnMs.
  const delayMs = Math.max(1, Math.round(turnMs / 8))
  let served = 0
  const fake = await startFakeAnthropic(() => (++served < turns ? {...reply.tool('Read', {file_path: 'README.md'}, `Reading, turn ${served}.`), delayMs} : {...reply.text('The README says bench.'), delayMs}))
  const db = join(dir, 'adw.db')
  const env = childEnv({ANTHROPIC_API_KEY: 'sk-ant-bench-not-a-real-key', ANTHROPIC_BASE_URL: fake.url})
  try {
    const recorded = await mustRun(ADW, ['run', 'long.yaml', '--adw-id', 'recorded', '--db', db, '--quiet'], {cwd: dir, env})
    const calls = fake.messageRequests().length
    const runMs = (new DatabaseSync(db, {readOnly: true}).prepare("SELECT duration_ms FROM runs WHERE adw_id = 'recorded'").get() as {duration_ms: number}).duration_ms
    const wall: number[] = []
    const engine: number[] = []
    let same = true
    for (let i = 0; i < reps; i++) {
      const r = await mustRun(ADW, ['replay', 'recorded', '--adw-id', `replay-${i}`, '--db', db, '--json'], {cwd: dir, env, capture: true})
      const out = JSON.parse(r.stdout)
      same &&= out.status === 'succeeded' && out.divergences.length === 0 && out.served === turns
      wall.push(r.ms)
      engine.push(out.durationMs)
    }
    const apiCalls = fake.messageRequests().length - calls
    const [w, e] = [median(wall), median(engine)]
    return {
      id: 'replay',
      title: `adw replay of a ${turns}-turn agent run`,
      rows: [
        {measure: `recorded run (${turns} turns at ~${turnMs} ms): adw run wall / its recorded duration`, value: `${ms(recorded.ms, 0)} / ${ms(runMs, 0)}`},
        {measure: 'replay: run duration (engine)', value: ms(e, 0)},
        goal('replay speed-up: recorded duration / `adw replay` wall time (start, worktree, tools included)', ratio(runMs / w), '≥ 50×', runMs / w >= 50),
        goal('API calls made by the replays; every call answered from the recording, no divergence', `${apiCalls}; ${same ? 'yes' : 'no'}`, '0; yes', apiCalls === 0 && same),
      ],
      data: {turns, turnMs, reps, recordedWallMs: round(recorded.ms, 1), recordedRunMs: runMs, replayWallMs: wall.map(x => round(x, 1)), replayRunMs: engine, speedup: round(runMs / w, 2), apiCalls},
    }
  } finally {
    await fake.close()
  }
}
