import type {StepView} from './api.js'
import {count, duration, money} from './format.js'

/** The selected step: its facts, why it was skipped or failed, and its outputs (a verdict and issues first). */
export function StepPanel({step}: {step: StepView}) {
  const outputs = step.outputs ?? {}
  const verdict = typeof outputs.verdict === 'string' ? outputs.verdict : undefined
  const issues = Array.isArray(outputs.issues) ? outputs.issues : undefined
  const rest = Object.fromEntries(Object.entries(outputs).filter(([k]) => k !== 'verdict' && k !== 'issues'))
  return (
    <div class="step-panel">
      <div class="facts small">
        <span><b>{step.name ?? step.stepId}</b>{step.iteration > 0 ? ` · attempt ${step.iteration}` : ''}</span>
        <span class="dim">{step.executor}</span>
        {step.model && <span class="dim">{step.model}</span>}
        {step.durationMs !== null && <span>{duration(step.durationMs)}</span>}
        {step.inputTokens + step.outputTokens > 0 && <span>{count(step.inputTokens)} in / {count(step.outputTokens)} out</span>}
        {step.costUsd > 0 && <span>{money(step.costUsd)}</span>}
      </div>
      {step.reason && <p class="note">Skipped: {step.reason}</p>}
      {step.reused && <p class="note">Completed before the run was resumed: its outputs were reused.</p>}
      {step.error && <pre class="run-error">{step.error}</pre>}
      {verdict && (
        <div class="verdict">
          <span class={`status ${verdict.toUpperCase() === 'PASS' ? 's-succeeded' : 's-failed'}`}>{verdict}</span>
          {issues && issues.length > 0 && (
            <ul>
              {issues.map(i => (
                <li>{typeof i === 'string' ? i : JSON.stringify(i)}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {Object.keys(rest).length > 0 && (
        <details class="outputs" open={!verdict}>
          <summary>outputs</summary>
          <pre>{JSON.stringify(rest, null, 2)}</pre>
        </details>
      )}
    </div>
  )
}
