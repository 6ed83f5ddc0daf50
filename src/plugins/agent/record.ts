import type {Message} from '@anthropic-ai/sdk/resources/messages'
import type {MessageStreamParams} from '@anthropic-ai/sdk/resources/messages/messages'
import type {ExecutorContext} from '../types.js'

/**
 * Hands each API call of the step to `ctx.record` (for adw replay): the hash of the request's stable
 * parts, what it added to the previous call (src/replay/request.ts) and the API's whole message.
 * Recording never fails the step: a write that fails is logged and the conversation goes on.
 */
export async function exchangeRecorder(ctx: ExecutorContext, workingDirs: string[]): Promise<(turn: number, request: MessageStreamParams, response: Message) => Promise<void>> {
  const {deltaOf, requestHash, stableRequest} = await import('../../replay/request.js')
  let previous: ReturnType<typeof stableRequest> | undefined
  return async (turn, request, response) => {
    const stable = stableRequest(request, workingDirs)
    const delta = deltaOf(stable, previous)
    previous = stable
    try {
      await ctx.record!({kind: 'messages', turn, requestHash: requestHash(stable), request: delta, response})
    } catch (error) {
      ctx.log('WARNING', 'error', `Could not record API call ${turn} for adw replay: ${(error as Error).message}`)
    }
  }
}
