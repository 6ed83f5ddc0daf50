import {useEffect, useState} from 'preact/hooks'

import {api, type ApprovalView} from './api.js'
import {when} from './format.js'

let serverUser: Promise<string> | undefined
const whoAmI = () => (serverUser ??= api.health().then(h => h.user, () => ''))

/**
 * A run's approval gates: the pending one with approve / reject (a name, a comment or the reason a
 * rejection needs), the same decision as `adw approve` / `adw reject`; decided ones with who, when
 * and what they said.
 */
export function Gates({adwId, approvals, waiting}: {adwId: string; approvals: ApprovalView[]; waiting: boolean}) {
  if (approvals.length === 0) return null
  return (
    <div class="gates">
      {approvals.map(a =>
        a.decision === null ? (
          waiting ? <PendingGate key={`${a.stepId}#${a.iteration}`} adwId={adwId} gate={a} several={approvals.filter(g => g.decision === null).length > 1} /> : null
        ) : (
          <p class={`gate decided d-${a.decision}`} data-gate={a.stepId}>
            <b>{a.stepId}</b> {a.decision} by <b class="who">{a.decidedBy}</b> <span class="dim">{when(a.decidedAt!)}</span>
            {a.comment && <span class="said">: {a.comment}</span>}
          </p>
        ),
      )}
    </div>
  )
}

function PendingGate({adwId, gate, several}: {adwId: string; gate: ApprovalView; several: boolean}) {
  const [name, setName] = useState('')
  const [text, setText] = useState('')
  const [me, setMe] = useState('')
  const [state, setState] = useState<{busy?: boolean; error?: string}>({})
  useEffect(() => void whoAmI().then(setMe), [])

  const decide = (verb: 'approve' | 'reject') => {
    if (verb === 'reject' && !text.trim()) return setState({error: 'A rejection needs a reason: say what should change.'})
    setState({busy: true})
    const common = {as: name.trim() || undefined, step: several ? gate.stepId : undefined}
    const sent = verb === 'approve' ? api.approve(adwId, {...common, comment: text.trim() || undefined}) : api.reject(adwId, {...common, reason: text.trim()})
    sent.then(
      () => setState({busy: true}),
      e => setState({error: String(e.message)}),
    )
  }
  return (
    <form class="gate pending" data-gate={gate.stepId} onSubmit={e => e.preventDefault()}>
      <p>
        <b>Waiting for a decision at {gate.stepId}</b>
        {gate.timeoutAt && <span class="dim"> · {gate.onTimeout}s by itself at {when(gate.timeoutAt)}</span>}
      </p>
      <p class="gate-msg">{gate.message}</p>
      {gate.approvers.length > 0 && <p class="dim">Approvers: {gate.approvers.join(', ')}</p>}
      <div class="gate-form">
        <input aria-label="decided by" placeholder={me ? `your name (default: ${me})` : 'your name'} value={name} onInput={e => setName(e.currentTarget.value)} />
        <textarea aria-label="comment" rows={2} placeholder="comment (approve) or reason (reject, required)" value={text} onInput={e => setText(e.currentTarget.value)} />
        <button class="approve" disabled={state.busy} onClick={() => decide('approve')}>
          approve
        </button>
        <button class="danger" disabled={state.busy} onClick={() => decide('reject')}>
          reject
        </button>
      </div>
      {state.busy && <p class="dim">Recorded; continuing the run…</p>}
      {state.error && <p class="error">{state.error}</p>}
    </form>
  )
}
