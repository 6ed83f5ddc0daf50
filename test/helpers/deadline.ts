/**
 * Deadlines for tests, so that a test that would wait forever fails (naming what it waited for)
 * instead of hanging the suite.
 *
 * - `withDeadline` wraps one test's handler: past its deadline the test fails with
 *   `Test "x" did not finish within 180 s; still waiting for: adw run p.yaml …`. Every test and hook
 *   gets it through the wrapped uvu (test/helpers/uvu.ts, put in place by test/helpers/register.mjs).
 * - `waitingFor(what, promise)` names a wait for that message; `adw()` and `until()` name theirs.
 * - `until(check, what, ms)` polls a condition with its own, shorter deadline.
 */
import {setTimeout as sleep} from 'node:timers/promises'

/** Per test (and per hook), in ms; `ADW_TEST_DEADLINE_MS` overrides it. Generous: the machine may be loaded. */
export const TEST_DEADLINE_MS = Number(process.env.ADW_TEST_DEADLINE_MS) || 180_000

/** `ADW_TEST_SLOW_MS=5000`: every test (or hook) that takes longer is named on stderr. */
const SLOW_MS = process.env.ADW_TEST_SLOW_MS ? Number(process.env.ADW_TEST_SLOW_MS) : undefined

const pending = new Map<symbol, string>()

/** Resolves as `p` does; while pending, `what` is named if the test's deadline passes. */
export async function waitingFor<T>(what: string, p: Promise<T>): Promise<T> {
  const key = Symbol(what)
  pending.set(key, what)
  try {
    return await p
  } finally {
    pending.delete(key)
  }
}

/** Polls `check` every 20 ms until it holds; past `ms`, throws `timed out after N ms waiting for <what>`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const key = Symbol(what)
  pending.set(key, what)
  try {
    const end = Date.now() + ms
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
      await sleep(20)
    }
  } finally {
    pending.delete(key)
  }
}

/** `p`, or a rejection `timed out after N ms waiting for <what>` if it takes longer than `ms`. */
export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  try {
    return await waitingFor(what, Promise.race([p, late]))
  } finally {
    clearTimeout(timer)
  }
}

type Handler = (context: any) => unknown

/** `handler`, failing with a message past `ms`. */
export function withDeadline<H extends Handler>(name: string, handler: H, ms = TEST_DEADLINE_MS): H {
  return (async (context: unknown) => {
    pending.clear()
    let timer: NodeJS.Timeout | undefined
    const started = Date.now()
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const what = [...pending.values()]
        reject(new Error(`${name} did not finish within ${ms / 1000} s${what.length ? `; still waiting for: ${what.join('; ')}` : ''}`))
      }, ms)
    })
    try {
      return await Promise.race([handler(context), expired])
    } finally {
      clearTimeout(timer)
      if (SLOW_MS !== undefined && Date.now() - started >= SLOW_MS) process.stderr.write(`slow: ${name} took ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
    }
  }) as H
}

let watching = false
/**
 * A test that failed its deadline, or leaked a child process or a server, leaves handles that keep
 * node alive after uvu's summary: once uvu has set the exit code (its last act) and a grace period
 * has passed, exit with that code.
 */
export function exitWhenSuiteEnds(graceMs = 5000): void {
  if (watching) return
  watching = true
  let endedAt: number | undefined
  setInterval(() => {
    if (process.exitCode === undefined) return
    endedAt ??= Date.now()
    if (Date.now() - endedAt < graceMs) return
    process.stderr.write('The suite has finished, but a test left handles open (a child process, a server); exiting.\n')
    process.exit()
  }, 500).unref()
}
