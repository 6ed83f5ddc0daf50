/** Every event a notify target may ask for. run.waiting and budget.exceeded fire once runs can wait for approval or stop at a budget. */
export const NOTIFY_EVENTS = ['run.succeeded', 'run.failed', 'run.cancelled', 'run.waiting', 'budget.exceeded', 'step.failed'] as const
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number]
