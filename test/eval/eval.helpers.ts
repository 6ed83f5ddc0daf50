import {join} from 'node:path'
import {adw, tmpDir, type CliResult} from '../helpers/cli.js'
import {reply, type FakeReply, type FakeRequest} from '../helpers/fake-anthropic.js'
import {TEST_KEY} from '../plugins/agent.helpers.js'

/** One agent step that does what the prompt says with the Write tool. */
export const ONE_STEP = `name: one-step
inputs:
  prompt: {type: string, required: true}
  model: {type: string}
steps:
  - id: work
    uses: agent
    with:
      model: "{{inputs.model}}"
      tools: [Write]
      prompt: "{{inputs.prompt}}"
`

/** Prices in USD per million tokens, so costs are exact: a fake reply is 100 input + 20 output tokens. */
export const CONFIG = `prices:
  model-a: {input: 1, output: 10}
  model-b: {input: 2, output: 20}
`

/** A project with the pipeline, the price config and a fixture folder; the suite is written by the test. */
export function project(suite: string, extra: Record<string, string> = {}): {dir: string; db: string; suite: string} {
  const dir = tmpDir({
    'adw.config.yaml': CONFIG,
    'pipelines/one-step.yaml': ONE_STEP,
    'evals/suite.yaml': suite,
    'evals/fixture/README.md': '# tiny\n',
    ...extra,
  }, 'adw-eval-')
  return {dir, db: join(dir, 'eval.db'), suite: join(dir, 'evals/suite.yaml')}
}

/** The text of the first user message of a request (the step's prompt). */
export function promptOf(req: FakeRequest): string {
  const first = req.body?.messages?.[0]?.content
  return typeof first === 'string' ? first : (first ?? []).map((b: any) => b.text ?? '').join('')
}

/** Whether the request answers a tool call (the turn after the agent wrote its file). */
export const afterTool = (req: FakeRequest): boolean => {
  const last = req.body?.messages?.at(-1)?.content
  return Array.isArray(last) && last.some((b: any) => b.type === 'tool_result')
}

/** A responder: the first turn writes `file` with `content`, the second says done. */
export function writes(file: string, content: string): FakeReply {
  return reply.tool('Write', {file_path: file, content})
}

export const done = (): FakeReply => reply.text('Done.')

export function runEvalCli(args: string[], o: {dir: string; baseURL: string; env?: Record<string, string>; timeout?: number}): Promise<CliResult> {
  return adw(['eval', ...args], {cwd: o.dir, env: {ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: o.baseURL, ADW_SANDBOX: 'on', ...o.env}, timeout: o.timeout ?? 120_000})
}
