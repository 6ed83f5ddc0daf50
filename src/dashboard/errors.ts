import type {Context} from 'hono'
import type {ContentfulStatusCode} from 'hono/utils/http-status'

/** A request the dashboard refuses, answered as `{error: {code, message}}` with a 4xx status. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/** The JSON body of every error answer. */
export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json({error: {code, message}}, status)
}
