import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {join} from 'node:path'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'
import {until} from '../helpers/deadline.js'
import {reply, routeByPrompt, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {startOtlpReceiver} from '../helpers/otlp-receiver.js'
import {realClaudeEnv, requireRealClaude} from '../helpers/real-claude.js'

const CLAUDE = requireRealClaude()

test("the real Claude Code CLI joins the run's trace: its spans are children of the step that ran it", async () => {
  const fake = await startFakeAnthropic(routeByPrompt({'Say hello': [reply.text('Hello!')]}))
  const otlp = await startOtlpReceiver()
  const dir = tmpDir({'p.yaml': ['name: cc', 'steps:', '  - id: hello', '    uses: claude-code', '    with: {prompt: "Say hello"}'].join('\n')}, 'adw-cc-otel-')
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'cc-otel', '--db', join(dir, 'a.db')], {
      cwd: dir,
      env: {...realClaudeEnv(fake.url), ADW_CLAUDE_BIN: CLAUDE, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url},
      timeout: 120_000,
    })
    assert.is(r.exitCode, 0, r.stdout + r.stderr)
    const step = otlp.spans().find(s => s.name === 'invoke_agent hello')!
    assert.ok(step, 'the step span arrived')
    await until(() => otlp.spans().some(s => s.scope !== 'adw'), "Claude Code's own spans to arrive", 20_000)
    const theirs = otlp.spans().filter(s => s.scope !== 'adw')
    assert.ok(theirs.every(s => s.traceId === step.traceId), 'in the run trace')
    const roots = theirs.filter(s => !theirs.some(p => p.spanId === s.parentSpanId))
    assert.ok(theirs.some(s => s.name === 'claude_code.interaction') && theirs.some(s => s.name === 'claude_code.llm_request'), theirs.map(s => s.name).join(', '))
    assert.ok(roots.length > 0)
    assert.ok(roots.every(s => s.parentSpanId === step.spanId), `Claude Code's top spans hang under the step: ${roots.map(s => `${s.name}→${s.parentSpanId}`).join(', ')}`)
  } finally {
    await fake.close()
    await otlp.close()
    rmDir(dir)
  }
})

test.run()
