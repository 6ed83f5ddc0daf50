import {isAbsolute, resolve} from 'node:path'
import {TAG_ENV_PREFIX} from '../pipeline/shell/analyze.js'
import {stepLaunch, STEP_SANDBOX_SCHEMA, type StepSandboxOption} from '../sandbox/step.js'
import {StepFailure} from './failures.js'
import {killTree, startStepProcess, Tail} from './process.js'
import type {StepExecutor} from './types.js'

export interface ShellOptions {
  /**
   * The script, run by `bash -c`. Each `{{x}}` in it reaches bash as an environment variable
   * (`ADW_TAG_n`, in `ctx.env`) that the script references: bash expands it and never parses it.
   */
  run: string
  /** Extra environment variables. */
  env?: Record<string, string | number | boolean>
  /** Working directory, relative to the run's working directory. */
  cwd?: string
  /** Run in the command sandbox (src/sandbox/): `true`, or `{network: true}`. @default false */
  sandbox?: StepSandboxOption
}

/** A line longer than this (no newline yet) is logged in pieces; the engine masks secrets, then bounds each row. */
const MAX_LOG_LINE = 4000
/** At most this much of stdout and of stderr is kept in memory and returned as outputs. */
const MAX_CAPTURE = 1024 * 1024

/** Runs a bash script; non-zero exit fails the step. */
export const shell: StepExecutor<ShellOptions> = {
  name: 'shell',
  description: 'Runs a bash script in the working directory; outputs exitCode, stdout, stderr',
  shellOptions: ['run'],
  outputs: {
    exitCode: {type: 'int', description: "The script's exit status (0 unless continueOnError let a failure through)"},
    stdout: {type: 'string', description: 'What it printed on stdout (up to 1 MiB)'},
    stderr: {type: 'string', description: 'What it printed on stderr (up to 1 MiB)'},
  },
  schema: {
    type: 'object',
    required: ['run'],
    additionalProperties: false,
    properties: {
      run: {type: 'string', description: 'Script for bash -c; each {{value}} is passed as an environment variable, never parsed as shell code'},
      env: {type: 'object', additionalProperties: {type: ['string', 'number', 'boolean']}, description: 'Extra environment variables'},
      cwd: {type: 'string', description: 'Directory to run in, relative to the working directory'},
      sandbox: STEP_SANDBOX_SCHEMA,
    },
  },
  async run(options, ctx) {
    const cwd = options.cwd ? (isAbsolute(options.cwd) ? options.cwd : resolve(ctx.workingDir, options.cwd)) : ctx.workingDir
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(options.env ?? {})) env[k] = String(v)
    // The values of run's {{tags}} (ADW_TAG_n) go in too: the sandbox's environment is an allow-list.
    const tags = Object.entries(ctx.env).filter((e): e is [string, string] => e[0].startsWith(TAG_ENV_PREFIX) && e[1] !== undefined)
    const set = {...env, ...Object.fromEntries(tags), ADW_ID: ctx.adwId, ADW_STEP: ctx.stepId}
    const launch = await stepLaunch(ctx, {command: ['bash', '-c', options.run], cwd, set, sandbox: options.sandbox})
    const {child} = await startStepProcess(launch.file, launch.args, {cwd: launch.cwd, env: launch.env})
    const onAbort = () => killTree(child)
    if (ctx.signal.aborted) onAbort()
    else ctx.signal.addEventListener('abort', onAbort, {once: true})

    const stdout = new Tail(MAX_CAPTURE)
    const stderr = new Tail(MAX_CAPTURE)
    const pump = async (stream: AsyncIterable<unknown> & NodeJS.ReadableStream, tail: Tail, level: 'INFO' | 'WARNING') => {
      let partial = ''
      stream.setEncoding('utf8')
      for await (const chunk of stream) {
        const text = partial + String(chunk)
        tail.push(String(chunk))
        const lines = text.split('\n')
        partial = lines.pop() ?? ''
        for (const line of lines) emit(line, level)
        if (partial.length > MAX_LOG_LINE * 4) {
          emit(partial, level)
          partial = ''
        }
      }
      if (partial) emit(partial, level)
    }
    let last = ''
    const emit = (line: string, level: 'INFO' | 'WARNING') => {
      ctx.log(level, 'output', line)
      if (line.trim()) last = line
    }
    let shown = ''
    const progressTimer = setInterval(() => {
      if (last === shown) return
      shown = last
      ctx.progress(last)
    }, 100)
    try {
      await Promise.all([pump(child.stdout as any, stdout, 'INFO'), pump(child.stderr as any, stderr, 'INFO'), child])
    } finally {
      clearInterval(progressTimer)
      ctx.signal.removeEventListener('abort', onAbort)
    }
    const result = await child
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new StepFailure('cancelled', 'cancelled')
    if (result.code === 'ENOENT' || (result.failed && result.exitCode === undefined && !result.signal)) {
      throw new StepFailure('invalid', `could not start bash in ${cwd}: ${result.shortMessage ?? result.message}`)
    }
    const exitCode = result.exitCode ?? (result.signal ? 128 : 1)
    const outputs = {exitCode, stdout: trimEnd(stdout.toString()), stderr: trimEnd(stderr.toString())}
    if (exitCode !== 0) {
      const tail = outputs.stderr.split('\n').slice(-5).join('\n')
      // The outputs ride on the failure: continueOnError and later steps still see exitCode and the output.
      throw new StepFailure('exit', `command exited with code ${exitCode}${result.signal ? ` (${result.signal})` : ''}${tail ? `: ${tail}` : ''}`, {outputs})
    }
    return {outputs}
  },
}

function trimEnd(s: string): string {
  return s.endsWith('\n') ? s.slice(0, -1) : s
}
