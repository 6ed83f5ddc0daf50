import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {adw, rmDir, tmpDir, writeFiles, type CliResult} from '../helpers/cli.js'
import {reply, routeByPrompt, startFakeAnthropic, type FakeAnthropic, type FakeReply} from '../helpers/fake-anthropic.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'

export {TEST_KEY}

/** Two agent steps: plan reads the README and writes a plan; build writes the code from it. */
export const PIPELINE = `name: record-demo
inputs:
  prompt: {type: string, required: true}
steps:
  - id: plan
    uses: agent
    with:
      prompt: "PLAN-STEP: plan this task: {{inputs.prompt}}"
      model: claude-sonnet-4-5
  - id: build
    uses: agent
    with:
      prompt: "BUILD-STEP: implement: {{steps.plan.outputs.text}}"
      model: claude-sonnet-4-5
`

/** The scripted model answers of PIPELINE, by step. */
export function routes(): Record<string, FakeReply[]> {
  return {
    'PLAN-STEP': [
      reply.tool('Read', {file_path: 'README.md'}, 'Reading the README.'),
      reply.tool('Write', {file_path: 'plan.md', content: '# Plan\n1. greet.js\n'}),
      reply.text('Plan: write greet.js that prints Hello.'),
    ],
    'BUILD-STEP': [
      reply.tool('Write', {file_path: 'greet.js', content: "console.log('Hello')\n"}),
      reply.tool('Bash', {command: 'node greet.js'}),
      reply.text('Built greet.js; it prints Hello.'),
    ],
  }
}

export interface Project {
  dir: string
  db: string
  fake: FakeAnthropic
  /** Runs adw in the project with the test key and the fake's URL. */
  adw(args: string[], env?: Record<string, string>): Promise<CliResult>
  close(): Promise<void>
}

/** A git repository with a README, the pipeline and a committed state, and a fake API answering `script`. */
export async function project(script: Record<string, FakeReply[]> = routes(), files: Record<string, string> = {}): Promise<Project> {
  const dir = tmpDir({'README.md': '# demo\nSay hello.\n', 'pipeline.yaml': PIPELINE, '.gitignore': '*.db*\n.adw/\n', ...files}, 'adw-replay-')
  const git = (...args: string[]) => execFileSync('git', args, {cwd: dir, stdio: 'ignore', env: {...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x'}})
  git('init', '-q', '-b', 'main')
  git('add', '-A')
  git('commit', '-q', '-m', 'init')
  const fake = await startFakeAnthropic(routeByPrompt(script))
  const db = join(dir, 'adw.db')
  return {
    dir,
    db,
    fake,
    adw: (args, env = {}) => adw([...args, '--db', db], {cwd: dir, env: {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url, ...env}, timeout: 90_000}),
    close: async () => {
      await fake.close()
      rmDir(dir)
    },
  }
}

export {writeFiles}
