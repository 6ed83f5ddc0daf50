import {join} from 'node:path'
import {adw, ROOT, type CliResult} from '../helpers/cli.js'
import {reply, type FakeReply} from '../helpers/fake-anthropic.js'

export {TEST_KEY} from '../plugins/agent.helpers.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'

/** Substrings of each seed step's prompt, for `routeByPrompt`. */
export const STEP = {
  plan: 'Plan the following task',
  build: 'Implement the plan in',
  review: 'Review the implementation of the plan',
  fix: 'A reviewer found problems',
  rereview: 'Review again, after fixes',
} as const

export const PROMPT = 'Add a greet(name) function in src/greet.js with a test'

/** Plan: writes the plan file, answers with its path. */
export function planTurns(adwId: string): FakeReply[] {
  const file = `specs/${adwId}-plan.md`
  return [
    reply.tool('Write', {file_path: file, content: '# Plan: greet\n\n## Step by Step Tasks\n### 1. Add src/greet.js\n'}, 'Writing the plan.'),
    reply.json({plan_file: file, summary: 'Add greet() with a test.'}, {usage: {input_tokens: 2000, output_tokens: 300}}),
  ]
}

/** Build: reads the plan, writes code, runs it. */
export function buildTurns(adwId: string): FakeReply[] {
  return [
    reply.tool('Read', {file_path: `specs/${adwId}-plan.md`}),
    reply.tools([
      {name: 'Write', input: {file_path: 'src/greet.js', content: 'export const greet = name => `Hello, ${name}`\n'}},
      {name: 'Bash', input: {command: 'node --input-type=module -e "import {greet} from \'./src/greet.js\'; console.log(greet(\'x\'))"'}},
    ]),
    reply.text('Implemented src/greet.js; the check printed "Hello, x".'),
  ]
}

export const FAIL_REVIEW = {verdict: 'FAIL', summary: 'No punctuation.', issues: [{severity: 'blocker', description: 'greet lacks "!"', resolution: 'append "!"', file: 'src/greet.js'}]}
export const PASS_REVIEW = {verdict: 'PASS', summary: 'All good.', issues: []}

/** A review (or re-review) answering `verdict`. */
export function reviewTurns(verdict: object): FakeReply[] {
  return [reply.tool('Bash', {command: 'cat src/greet.js'}), reply.json(verdict)]
}

/** A fix: reads the latest review file, edits the code. */
export function fixTurns(adwId: string, n: number): FakeReply[] {
  return [
    reply.tool('Read', {file_path: `specs/${adwId}-review.json`}),
    reply.tool('Edit', {file_path: 'src/greet.js', old_string: '`Hello, ${name}', new_string: `\`Hello, \${name}${'!'.repeat(n)}`}),
    reply.text(`Fix ${n} applied.`),
  ]
}

/** `adw run` of a seed pipeline against the fake, with the test key. */
export function runSeed(pipeline: string, o: {adwId: string; dir: string; db: string; baseURL?: string; env?: Record<string, string>}): Promise<CliResult> {
  return adw(['run', join(ROOT, 'pipelines', `${pipeline}.yaml`), '--adw-id', o.adwId, '--prompt', PROMPT, '--working-dir', o.dir, '--db', o.db], {
    env: {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: o.baseURL ?? '', ...o.env},
    timeout: 90_000,
  })
}

export {rows as query, dbBytes} from '../helpers/db.js'
