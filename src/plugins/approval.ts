import type {StepExecutor} from './types.js'

/** The `with:` block of an approval gate (`uses: approval`). */
export interface ApprovalOptions {
  /** What the approver is asked: a template, e.g. the plan's summary and the path to the plan. */
  message: string
  /** How long to wait for a decision, e.g. "30m", "24h"; then `onTimeout` decides. @default no timeout */
  timeout?: string
  /** Who may decide (names as `--as` or the OS user gives them). @default anyone */
  approvers?: string[]
  /** What a timeout decides. @default reject */
  onTimeout?: 'reject' | 'approve'
  /** `fail`: a rejection fails the run; `continue`: the step succeeds with approved false (loop back and re-plan). @default fail */
  onReject?: 'fail' | 'continue'
}

/**
 * A human checkpoint. The engine runs it (src/engine/gate.ts): the run is recorded `waiting` and the
 * process exits 0 with the commands to continue (`adw run --wait` blocks instead) until `adw approve`
 * or `adw reject` decides it. This object is its name, options and outputs for `adw validate` and
 * `adw executors`; it cannot run outside the engine.
 */
export const approval: StepExecutor<ApprovalOptions> = {
  name: 'approval',
  description: 'A human approval gate: the run waits (status waiting) until adw approve or adw reject decides; outputs approved, comment, by',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['message'],
    properties: {
      message: {type: 'string', minLength: 1, description: 'What the approver is asked (a template: show the plan summary and a path to the plan)'},
      timeout: {type: 'string', pattern: '^(?=\\d)(\\d+h)?(\\d+m(?!s))?(\\d+s)?(\\d+ms)?$', description: 'How long to wait for a decision, e.g. "30m", "24h"; then onTimeout decides (default: no timeout)'},
      approvers: {type: 'array', minItems: 1, uniqueItems: true, items: {type: 'string', minLength: 1}, description: 'Who may decide (default: anyone)'},
      onTimeout: {enum: ['reject', 'approve'], description: 'What a timeout decides (default: reject)'},
      onReject: {enum: ['fail', 'continue'], description: 'fail: a rejection fails the run (default); continue: the step succeeds with approved false'},
    },
  },
  outputs: {
    approved: {type: 'bool', description: 'true when approved'},
    comment: {type: 'string', description: "The approver's --comment or the rejection's --reason"},
    by: {type: 'string', description: 'Who decided (or "timeout")'},
    decidedAt: {type: 'string', description: 'When (ISO 8601, UTC)'},
  },
  async run() {
    throw new Error('An approval step is run by adw\'s engine (adw run); it cannot be called on its own.')
  },
}
