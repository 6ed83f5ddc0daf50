import {Args, Flags} from '@oclif/core'
import {AdwCommand} from '../base-command.js'
import {formatDiagnostics, pipelineHint} from '../errors.js'
import {validatePipelines} from '../pipeline/validate.js'
import {loadRegistry} from '../plugins/registry.js'

export default class Validate extends AdwCommand {
  static summary = 'Check pipeline files without running them'
  static description = 'Runs the same checks as `adw run` before anything starts: YAML syntax, the pipeline JSON Schema (`adw schema`), unique step ids, known executors and their options, templates and conditions that only read inputs and earlier steps. Every problem is listed as FILE:LINE:COL with the source line. Exit code 2 when any file is invalid.'
  static examples = ['<%= config.bin %> validate pipelines/plan-build.yaml', '<%= config.bin %> validate pipelines/*.yaml --json']
  static strict = false

  static args = {
    file: Args.string({description: 'Pipeline file(s) to check', required: true}),
  }

  static flags = {
    json: Flags.boolean({description: 'Print {files: [{file, valid, problems, diagnostics, error?}], problems} as JSON: every problem, however many'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Validate)
    const result = await validatePipelines(argv as string[], {registry: await loadRegistry(this.config)})
    if (flags.json) {
      this.log(JSON.stringify(result, null, 2))
    } else {
      for (const r of result.files) {
        if (r.valid) this.log(`✓ ${r.file}`)
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
