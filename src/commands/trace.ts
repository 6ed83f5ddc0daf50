import {Args, Flags} from '@oclif/core'

import {AdwCommand} from '../base-command.js'

export default class Trace extends AdwCommand {
  static summary = 'Export a recorded run to an OpenTelemetry collector as one trace'
  static description = `For runs made without telemetry on (or while the collector was down): the run, its steps, loop iterations, model calls and tool calls are rebuilt from the database with their recorded times, tokens and cost, and sent over OTLP/HTTP. Each export is a new trace. Exit 1 if the collector does not accept it.`
  static examples = ['<%= config.bin %> trace feat-42 --otlp http://localhost:4318', 'OTEL_EXPORTER_OTLP_ENDPOINT=http://tempo:4318 <%= config.bin %> trace feat-42', '<%= config.bin %> trace feat-42 --otlp https://cloud.langfuse.com/api/public/otel --json']
  static args = {
    'adw-id': Args.string({description: 'The run to export', required: true}),
  }
  static flags = {
    otlp: Flags.string({description: 'OTLP/HTTP endpoint (a base such as http://localhost:4318, or a URL ending in /v1/traces); default OTEL_EXPORTER_OTLP_ENDPOINT, adw.config.yaml telemetry.otlp'}),
    json: Flags.boolean({description: 'Print {adwId, traceId, spans, url} as JSON'}),
    db: Flags.string({description: 'SQLite file (default: DATABASE_PATH, adw.config.yaml database.path, <project root>/.adw/orchestrator.db)'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Trace)
    const {traceRun} = await import('../telemetry/trace-run.js')
    await traceRun({adwId: args['adw-id'], otlp: flags.otlp, db: flags.db, json: flags.json, write: line => this.log(line)})
  }
}
