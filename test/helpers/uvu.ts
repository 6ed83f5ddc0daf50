/**
 * uvu with a deadline on every test and hook (see deadline.ts). Test files keep importing `uvu`:
 * test/helpers/register.mjs resolves their `uvu` to this module. Here, `uvu` is the real one.
 */
import * as uvu from 'uvu'
import {exitWhenSuiteEnds, withDeadline} from './deadline.js'

type Test = typeof uvu.test

/** The same suite, every handler under a deadline. */
function deadlined(t: Test): Test {
  const hook = (add: (fn: any) => void, what: string) => (fn: any) => add(withDeadline(`${what} hook`, fn))
  const wrapped: any = (name: string, fn: any) => t(name, withDeadline(`Test "${name}"`, fn))
  wrapped.only = (name: string, fn: any) => t.only(name, withDeadline(`Test "${name}"`, fn))
  wrapped.skip = t.skip
  wrapped.run = t.run
  wrapped.before = hook(t.before, 'before')
  wrapped.before.each = hook(t.before.each, 'before.each')
  wrapped.after = hook(t.after, 'after')
  wrapped.after.each = hook(t.after.each, 'after.each')
  return wrapped as Test
}

exitWhenSuiteEnds()

export const test = deadlined(uvu.test)
export const suite: typeof uvu.suite = (title, context) => deadlined(uvu.suite(title, context) as Test) as any
export const exec = uvu.exec
