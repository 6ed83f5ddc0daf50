/** A status as a coloured pill (running pulses). */
export function Status({status}: {status: string}) {
  return <span class={`status s-${status}`}>{status}</span>
}
