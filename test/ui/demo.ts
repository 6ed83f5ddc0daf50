// Drives the auto reporter with a scripted run, to eyeball the TTY view:
//   tmux new -d -s demo -x 100 -y 30 'node_modules/.bin/node --import tsx test/ui/demo.ts; sleep 60'
// Arguments: `fast` (1 ms between events, used by tty.test.ts), `fail` (the build step fails),
// `exhaust` (the fix loop runs out of attempts and fails the run).
import {setTimeout as sleep} from 'node:timers/promises'
import {createReporter} from '../../src/ui/index.js'
import {OUTLINE, Script} from './script.js'

const fast = process.argv.includes('fast')
const fail = process.argv.includes('fail')
const exhaust = process.argv.includes('exhaust')
const s = new Script('demo-1').start([{id: 'plan', name: 'plan', uses: 'agent'}, ...OUTLINE.slice(1)])
s.step('plan', {durationMs: 12_400, usage: {inputTokens: 15_000, outputTokens: 3_200, costUsd: 0.041}, progress: ['Read README.md', 'Grep "login"', 'Write specs/demo-1-plan.md']})
if (fail) {
  s.step('build', {status: 'failed', durationMs: 4_100, error: 'command exited with code 2: npm run build', progress: ['Bash npm run build']})
  s.end('failed', 'step build failed: command exited with code 2: npm run build')
} else {
  s.step('build', {durationMs: 31_000, usage: {inputTokens: 9_000, outputTokens: 6_000, cacheReadTokens: 4_000, costUsd: 0.058}, progress: ['Edit src/login.ts', 'Bash npm test']})
  s.step('review', {durationMs: 5_200, usage: {inputTokens: 2_000, outputTokens: 400, costUsd: 0.012}, progress: ['Read src/login.ts']})
  s.loopStart('fix_loop', 3)
  for (const i of exhaust ? [1, 2, 3] : [1, 2]) {
    s.iteration('fix_loop', i, 3)
    s.step('fix', {iteration: i, parentId: 'fix_loop', durationMs: 8_000, usage: {inputTokens: 1_500, outputTokens: 700, costUsd: 0.009}, progress: ['Edit src/login.ts']})
    s.step('rereview', {iteration: i, parentId: 'fix_loop', durationMs: 3_000, progress: ['Read src/login.ts']})
  }
  const msg = 'Loop fix_loop exhausted: 3 attempt(s) without steps.rereview.outputs.verdict == "PASS"'
  if (exhaust) s.loopEnd('fix_loop', 3, 'exhausted', msg).end('failed', msg)
  else s.loopEnd('fix_loop', 2, 'satisfied').end()
}

const reporter = createReporter('auto', {})
for (const e of s.events) {
  reporter.onEvent(e)
  await sleep(fast ? 1 : e.type === 'step:progress' ? 600 : 150)
}
await reporter.close()
