import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {ADW, adw, isolatedEnv, rmDir, tmpDir} from '../helpers/cli.js'
import {until} from '../helpers/deadline.js'
import {rows} from '../helpers/db.js'
import {startOtlpReceiver} from '../helpers/otlp-receiver.js'

const PIPELINE = [
  'name: ctx',
  'steps:',
  '  - id: show',
  '    uses: shell',
  '    with: {run: \'echo "tp=$TRACEPARENT"; echo "cc=$CLAUDE_CODE_ENABLE_TELEMETRY $OTEL_TRACES_EXPORTER"\'}',
  '  - id: again',
  '    uses: shell',
  '    with: {run: \'echo "tp=$TRACEPARENT"\'}',
].join('\n')

const stdoutOf = (db: string, adwId: string, step: string) =>
  rows(db, 'SELECT outputs FROM steps WHERE adw_id = ? AND step_id = ?', adwId, step).map(r => JSON.parse(r.outputs).stdout as string)[0]

test('a shell step sees TRACEPARENT naming its own span in the run trace, and the variables that make Claude Code join it', async () => {
  const otlp = await startOtlpReceiver()
  const dir = tmpDir({'p.yaml': PIPELINE})
  const db = join(dir, 'a.db')
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'tp-1', '--db', db], {cwd: dir, env: {OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url}})
    assert.is(r.exitCode, 0, r.stderr)
    const spans = otlp.spans()
    for (const step of ['show', 'again']) {
      const span = spans.find(s => s.name === `step ${step}`)!
      const tp = /tp=(\S+)/.exec(stdoutOf(db, 'tp-1', step))?.[1]
      assert.is(tp, `00-${span.traceId}-${span.spanId}-01`, `${step}: TRACEPARENT is its span`)
    }
    assert.match(stdoutOf(db, 'tp-1', 'show'), 'cc=1 otlp')
  } finally {
    await otlp.close()
    rmDir(dir)
  }
})

test('without an endpoint: no TRACEPARENT, and the OpenTelemetry SDK is never loaded (adw run, adw --version)', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE})
  const log = join(dir, 'loaded.txt')
  const hook = join(dir, 'hook.mjs')
  writeFileSync(hook, `import {registerHooks} from 'node:module'\nimport {appendFileSync} from 'node:fs'\nregisterHooks({load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context) }})\n`)
  const env = {NODE_OPTIONS: `--import=${hook}`}
  const otelFiles = () =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter(u => u.startsWith('file:'))
      .filter(u => u.includes('opentelemetry') || readFileSync(fileURLToPath(u), 'utf8').includes('OTLPTraceExporter'))
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'off-1', '--db', join(dir, 'a.db')], {cwd: dir, env})
    assert.is(r.exitCode, 0, r.stderr)
    assert.ok(readFileSync(log, 'utf8').includes('dist/'), 'the hook saw adw load')
    assert.equal(otelFiles(), [])
    assert.match(stdoutOf(join(dir, 'a.db'), 'off-1', 'show'), /^tp=\n/)
    writeFileSync(log, '')
    const v = await adw(['--version'], {cwd: dir, env})
    assert.is(v.exitCode, 0)
    assert.equal(otelFiles(), [])
  } finally {
    rmDir(dir)
  }
})

test('Ctrl-C: the spans are flushed before adw exits 130, the run span cancelled', async () => {
  const otlp = await startOtlpReceiver()
  const dir = tmpDir({'p.yaml': ['name: slow', 'steps:', '  - id: wait', '    uses: shell', "    with: {run: 'echo started; sleep 30'}"].join('\n')})
  const db = join(dir, 'a.db')
  try {
    const sub = execa(ADW, ['run', 'p.yaml', '--adw-id', 'int-1', '--db', db], {cwd: dir, env: {...isolatedEnv(), OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url}, reject: false, stdin: 'ignore', timeout: 60_000})
    const started = () => {
      try {
        return rows(db, "SELECT 1 FROM agent_logs WHERE message = 'started'").length > 0
      } catch {
        return false // not created yet, or busy a moment
      }
    }
    await until(started, 'the step to print "started"', 30_000)
    sub.kill('SIGINT')
    const r = await sub
    assert.is(r.exitCode, 130, String(r.stderr))
    const run = otlp.spans().find(s => s.name === 'run slow')
    assert.ok(run, 'the run span was sent before exit')
    assert.is(run!.attributes['adw.status'], 'cancelled')
    assert.is(run!.status.code, 2)
    assert.is(otlp.spans().find(s => s.name === 'step wait')?.attributes['adw.status'], 'cancelled')
  } finally {
    await otlp.close()
    rmDir(dir)
  }
})

test('a collector that is down: the run succeeds, one warning in the log and on stderr, and it ends promptly', async () => {
  const otlp = await startOtlpReceiver()
  const url = otlp.url
  await otlp.close() // nothing listens there now
  const dir = tmpDir({'p.yaml': PIPELINE})
  const db = join(dir, 'a.db')
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'down-1', '--db', db], {cwd: dir, env: {OTEL_EXPORTER_OTLP_ENDPOINT: url}})
    assert.is(r.exitCode, 0, r.stderr)
    assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'succeeded')
    const warnings = rows(db, "SELECT agent_name, message FROM agent_logs WHERE log_level = 'WARNING'")
    assert.is(warnings.length, 1, JSON.stringify(warnings))
    assert.is(warnings[0].agent_name, 'telemetry')
    assert.match(warnings[0].message, `could not export traces to ${url}/v1/traces`)
    assert.match(warnings[0].message, 'adw trace down-1')
    assert.is(r.stderr.match(/could not export traces/g)?.length, 1, r.stderr)
    const logs = await adw(['logs', 'down-1', '--db', db], {cwd: dir})
    assert.match(logs.stdout, 'could not export traces')
  } finally {
    rmDir(dir)
  }
})

test('a collector that refuses (503) or never answers costs a warning, not the run', async () => {
  for (const opts of [{status: 503}, {hang: true}]) {
    const otlp = await startOtlpReceiver(opts)
    const dir = tmpDir({'p.yaml': PIPELINE})
    const db = join(dir, 'a.db')
    try {
      const r = await adw(['run', 'p.yaml', '--adw-id', 'bad-1', '--db', db], {cwd: dir, env: {OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url}})
      assert.is(r.exitCode, 0, r.stderr)
      assert.is(rows(db, 'SELECT status FROM runs')[0].status, 'succeeded')
      assert.is(r.stderr.match(/could not export traces/g)?.length, 1, `${JSON.stringify(opts)}: ${r.stderr}`)
      assert.ok(otlp.requests().length >= 1, 'the exporter tried')
    } finally {
      await otlp.close()
      rmDir(dir)
    }
  }
})

test('a bad endpoint is refused before the run starts (exit 2, nothing recorded); a .env cannot choose where traces go', async () => {
  const otlp = await startOtlpReceiver()
  const dir = tmpDir({'p.yaml': PIPELINE, '.env': `OTEL_EXPORTER_OTLP_ENDPOINT=${otlp.url}\n`})
  try {
    const bad = await adw(['run', 'p.yaml', '--db', join(dir, 'a.db')], {cwd: dir, env: {OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318'}})
    assert.is(bad.exitCode, 2)
    assert.match(bad.stderr, 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL')
    assert.not.match(bad.stderr, '    at ')
    const fromDotenv = await adw(['run', 'p.yaml', '--adw-id', 'dotenv-1', '--db', join(dir, 'b.db')], {cwd: dir})
    assert.is(fromDotenv.exitCode, 0, fromDotenv.stderr)
    assert.match(fromDotenv.stderr, 'Ignored OTEL_EXPORTER_OTLP_ENDPOINT')
    assert.equal(otlp.requests(), [])
  } finally {
    await otlp.close()
    rmDir(dir)
  }
})

test('telemetry.otlp in adw.config.yaml turns it on; a bad value is located (exit 2)', async () => {
  const otlp = await startOtlpReceiver()
  const dir = tmpDir({'p.yaml': PIPELINE, 'adw.config.yaml': `telemetry:\n  otlp: ${otlp.url}\n`})
  try {
    const r = await adw(['run', 'p.yaml', '--adw-id', 'cfg-1', '--db', join(dir, 'a.db')], {cwd: dir})
    assert.is(r.exitCode, 0, r.stderr)
    assert.ok(otlp.spans().some(s => s.name === 'run ctx'))
    writeFileSync(join(dir, 'adw.config.yaml'), 'telemetry:\n  otlp: 4318\n')
    const bad = await adw(['run', 'p.yaml', '--db', join(dir, 'b.db')], {cwd: dir})
    assert.is(bad.exitCode, 2)
    assert.match(bad.stderr, 'adw.config.yaml:2:9: telemetry.otlp must be an http:// or https:// URL')
  } finally {
    await otlp.close()
    rmDir(dir)
  }
})

test('adw trace: exports a run recorded without telemetry; no endpoint is exit 2, a collector that is down exit 1, an unknown run exit 2', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE})
  const db = join(dir, 'a.db')
  const otlp = await startOtlpReceiver()
  try {
    assert.is((await adw(['run', 'p.yaml', '--adw-id', 'later-1', '--db', db], {cwd: dir})).exitCode, 0)
    const none = await adw(['trace', 'later-1', '--db', db], {cwd: dir})
    assert.is(none.exitCode, 2)
    assert.match(none.stderr, 'No OTLP endpoint: pass --otlp <url>')
    const ok = await adw(['trace', 'later-1', '--db', db, '--json'], {cwd: dir, env: {OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url}})
    assert.is(ok.exitCode, 0, ok.stderr)
    const out = JSON.parse(ok.stdout)
    assert.is(out.spans, 3)
    assert.equal(otlp.spans().map(s => s.name).sort(), ['run ctx', 'step again', 'step show'])
    assert.ok(otlp.spans().every(s => s.traceId === out.traceId))
    const unknown = await adw(['trace', 'nope', '--db', db, '--otlp', otlp.url], {cwd: dir})
    assert.is(unknown.exitCode, 2)
    assert.match(unknown.stderr, 'No run with adw_id "nope"')
    await otlp.close()
    const down = await adw(['trace', 'later-1', '--db', db, '--otlp', otlp.url], {cwd: dir})
    assert.is(down.exitCode, 1)
    assert.match(down.stderr, `Could not export run later-1 to ${otlp.url}/v1/traces`)
  } finally {
    await otlp.close()
    rmDir(dir)
  }
})

test.run()
