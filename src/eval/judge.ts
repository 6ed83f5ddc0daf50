/**
 * A judge check: an `agent` call, in the trial's folder with read-only tools, that answers PASS or
 * FAIL by the case's rubric. It is an ordinary run of a one-step pipeline (id `<trial id>-judge`),
 * so its cost counts against the eval's budget and its conversation is in `adw logs`.
 */
import {loadPipelineSource} from '../pipeline/load.js'
import type {Pipeline} from '../pipeline/types.js'
import type {ExecutorRegistry} from '../plugins/registry.js'
import type {CheckResult} from './checks.js'

const JUDGE_PIPELINE = `name: eval-judge
description: Judges one trial of an adw eval by its case's rubric
inputs:
  task: {type: string, required: true}
  rubric: {type: string, required: true}
  model: {type: string}
steps:
  - id: judge
    uses: agent
    with:
      model: "{{inputs.model}}"
      tools: [Read, Glob, Grep]
      output: json
      schema:
        type: object
        required: [verdict, reason]
        properties:
          verdict: {enum: [PASS, FAIL]}
          reason: {type: string}
      prompt: |
        You judge the work another agent did in this folder. Inspect the files (Read, Glob, Grep);
        change nothing.

        ## The task it was given
        {{inputs.task}}

        ## The rubric: what a passing result looks like
        {{inputs.rubric}}

        Answer with a JSON object: {"verdict": "PASS" or "FAIL", "reason": "<one or two sentences>"}.
`

let judge: Promise<Pipeline> | undefined
/** The judge's pipeline, loaded once per process. */
export function judgePipeline(registry: ExecutorRegistry): Promise<Pipeline> {
  judge ??= loadPipelineSource(JUDGE_PIPELINE, '<adw eval judge>', {registry})
  return judge
}

/** The judge's CheckResult from its run's outcome and outputs. */
export function judgeResult(name: string, adwId: string, durationMs: number, run: {status: string; error?: string}, outputs: Record<string, unknown> | undefined): CheckResult {
  if (run.status !== 'succeeded' || !outputs) return {name, kind: 'judge', passed: false, detail: `the judge's run ${run.status}${run.error ? `: ${run.error}` : ''}`, durationMs, adwId}
  const reason = typeof outputs.reason === 'string' ? outputs.reason : undefined
  return {name, kind: 'judge', passed: outputs.verdict === 'PASS', ...(reason ? {detail: reason} : {}), durationMs, adwId}
}
