import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync, mkdtempSync} from 'node:fs'
import {join} from 'node:path'
import {rmDir, tmpDir} from '../helpers/cli.js'
import {bashCalls} from './sandbox.helpers.js'

// Where bwrap cannot run (missing, or user namespaces refused), the agent's Bash is refused, not
// run unconfined, until the user says `sandbox: off`. ADW_BWRAP points the probe at a missing binary.

const withMissingBwrap = async <T>(fn: () => Promise<T>): Promise<T> => {
  const before = process.env.ADW_BWRAP
  process.env.ADW_BWRAP = '/nonexistent/bwrap'
  try {
    return await fn()
  } finally {
    if (before === undefined) delete process.env.ADW_BWRAP
    else process.env.ADW_BWRAP = before
  }
}

test('without a working bwrap, Bash calls are refused with what to do, and the run is warned once', async () => {
  const dir = tmpDir({'a.txt': 'x'})
  try {
    const {results, logs} = await withMissingBwrap(() => bashCalls(dir, ['touch made-1', 'touch made-2'], {adwId: 'unavailable-1'}))
    assert.equal(results.map(r => r.is_error), [true, true])
    for (const r of results) {
      assert.match(r.content, 'Commands are sandboxed, but /nonexistent/bwrap does not exist or is not executable')
      assert.match(r.content, 'apt-get install bubblewrap')
      assert.match(r.content, '`sandbox: off` in adw.config.yaml or ADW_SANDBOX=off')
    }
    assert.not.ok(existsSync(join(dir, 'made-1')) || existsSync(join(dir, 'made-2')), 'nothing ran')
    const warnings = logs.filter(l => l.level === 'WARNING' && l.type === 'state_change')
    assert.is(warnings.length, 1, JSON.stringify(warnings))
    assert.match(warnings[0].message, 'Commands are sandboxed, but')
  } finally {
    rmDir(dir)
  }
})

test('sandbox: off runs Bash unconfined, knowingly: one warning per run says so', async () => {
  const dir = tmpDir()
  const outside = mkdtempSync('/var/tmp/adw-sandbox-off-')
  try {
    const {results, logs} = await withMissingBwrap(() =>
      bashCalls(dir, [`touch ${outside}/written`, 'echo second'], {sandbox: 'off', adwId: 'unavailable-2'}),
    )
    assert.equal(results.map(r => r.is_error), [undefined, undefined])
    assert.ok(existsSync(join(outside, 'written')), 'unconfined, as the user chose')
    const warnings = logs.filter(l => l.level === 'WARNING')
    assert.is(warnings.length, 1)
    assert.match(warnings[0].message, 'The sandbox is off (sandbox: off)')
  } finally {
    rmDir(dir)
    rmDir(outside)
  }
})

test.run()
