import * as assert from 'uvu/assert'
import {readdirSync, readFileSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'
import {agent} from '../../src/plugins/agent.js'
import {probeSandbox} from '../../src/sandbox/index.js'
import {reply, startFakeAnthropic} from '../helpers/fake-anthropic.js'
import {makeCtx, toolResults} from '../plugins/agent.helpers.js'

export {TEST_KEY} from '../plugins/agent.helpers.js'

/**
 * The sandbox tests run real bubblewrap. Where it is missing they fail, saying what to install:
 * a skipped sandbox test would pass CI with the protection untested (.ci/run installs it).
 */
export async function requireBwrap(): Promise<void> {
  const probe = await probeSandbox()
  assert.ok(probe.ok, `the sandbox tests need bubblewrap: ${probe.ok ? '' : probe.reason}. Install it: apt-get install bubblewrap`)
}

/** A marker unique to this test process, for paths and process command lines. */
export const MARK = `${process.pid}${Math.floor(Math.random() * 1e6)}`

/**
 * Runs the agent executor against the fake Messages API with one turn that calls Bash once per
 * command, then a final text answer; returns the tool results (in order) and everything logged.
 */
export async function bashCalls(dir: string, commands: string[], opts: {env?: Record<string, string | undefined>; sandbox?: 'on' | 'off'; network?: boolean; adwId?: string} = {}) {
  const fake = await startFakeAnthropic([reply.tools(commands.map(command => ({name: 'Bash', input: {command}}))), reply.text('done')])
  try {
    const {ctx, logs, all} = makeCtx({workingDir: dir, baseURL: fake.url, env: opts.env})
    if (opts.sandbox) ctx.sandbox = opts.sandbox
    if (opts.adwId) ctx.adwId = opts.adwId
    await agent.run({prompt: 'run these', ...(opts.network ? {network: true} : {})}, ctx)
    const results = toolResults(fake.messageRequests()[1].body) as Array<{content: string; is_error?: boolean}>
    return {results, logs, all, requests: JSON.stringify(fake.messageRequests().map(r => r.body))}
  } finally {
    await fake.close()
  }
}

/** Host processes whose command line contains `needle` (not this test process). */
export function processesWith(needle: string): number[] {
  const found: number[] = []
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(needle)) found.push(pid)
    } catch {
      // gone meanwhile
    }
  }
  return found
}

/** Waits up to `ms` for no host process to carry `needle`; returns those still there. */
export async function waitNoProcess(needle: string, ms = 5000): Promise<number[]> {
  const deadline = Date.now() + ms
  for (;;) {
    const left = processesWith(needle)
    if (!left.length || Date.now() > deadline) return left
    await sleep(50)
  }
}
