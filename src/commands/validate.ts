import {Args, Flags} from '@oclif/core'
import {existsSync, readdirSync} from 'node:fs'
import {join, relative} from 'node:path'
import {AdwCommand} from '../base-command.js'
import {findPipeline} from '../engine/start.js'
import {AdwError, formatDiagnostics, pipelineHint} from '../errors.js'
import {findProjectRoot} from '../project.js'
import {validatePipelines} from '../pipeline/validate.js'
import {loadRegistry} from '../plugins/registry.js'

export default class Validate extends AdwCommand {
  static summary = 'Check pipeline files without running them'
  static description = 'With no argument, checks every pipelines/*.yaml of the project (found upwards, like adw run). Runs the same checks as `adw run` before anything starts: YAML syntax, the pipeline JSON Schema (`adw schema`), unique step ids, needs (known ids, no cycles), known executors and their options, templates and conditions that only read inputs and steps upstream of them, forEach lists and retry policies. A valid pipeline that runs steps in parallel, fans out or retries gets a one-line summary. Every problem is listed as FILE:LINE:COL with the source line. Exit code 2 when any file is invalid.'
  static examples = [
    '<%= config.bin %> validate                         # every pipelines/*.yaml of the project',
    '<%= config.bin %> validate mine                    # a bare name, as adw run takes it',
    '<%= config.bin %> validate pipelines/plan-build.yaml',
    '<%= config.bin %> validate pipelines/*.yaml --json',
  ]
  static strict = false

  static args = {
    file: Args.string({description: 'Pipeline file(s) or bare name(s) to check (default: every pipelines/*.yaml of the project root)'}),
  }

  static flags = {
    json: Flags.boolean({description: 'Print {files: [{file, valid, problems, diagnostics, error?, summary?}], problems} as JSON: every problem, however many'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Validate)
    const files = argv.length > 0 ? (argv as string[]).map(resolveName) : projectPipelines()
    const result = await validatePipelines(files, {registry: await loadRegistry(this.config)})
    if (flags.json) {
      this.log(JSON.stringify(result, null, 2))
    } else {
      for (const r of result.files) {
        if (r.valid) this.log(`✓ ${r.file}${r.summary ? ` (${r.summary})` : ''}`)
        else if (r.error) this.logToStderr([`✗ ${r.error}`, ...(r.suggestions ?? []).map(s => `Try: ${s}`)].join('\n'))
        else {
          this.logToStderr(formatDiagnostics(r.diagnostics, {more: pipelineHint}))
          this.logToStderr(`✗ ${r.file}: ${r.diagnostics.length} problem${r.diagnostics.length === 1 ? '' : 's'}\n`)
        }
      }
    }
    if (result.files.some(r => !r.valid)) this.exit(2)
  }
}

/** A bare name as `adw run` resolves it; anything else as given (a missing file is reported per file). */
function resolveName(name: string): string {
  if (existsSync(name) || name.includes('/') || /\.ya?ml$/.test(name)) return name
  try {
    return relative(process.cwd(), findPipeline(name, process.cwd())) || name
  } catch {
    return name
  }
}

/** The project's pipelines/*.yaml (and .yml), relative to the cwd as a shell glob would give them. */
function projectPipelines(): string[] {
  const dir = join(findProjectRoot(process.cwd()).dir, 'pipelines')
  const files = existsSync(dir) ? readdirSync(dir).filter(f => /\.ya?ml$/.test(f)).sort() : []
  if (files.length === 0) {
    throw new AdwError('USAGE', `No pipeline to check: no .yaml file in ${dir}`, {suggestions: ['adw validate <file|name>...', 'adw scaffold .  (writes the seed pipelines)']})
  }
  return files.map(f => relative(process.cwd(), join(dir, f)))
}
