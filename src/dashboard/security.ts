import {randomBytes, timingSafeEqual} from 'node:crypto'
import type {MiddlewareHandler} from 'hono'
import {getCookie, setCookie} from 'hono/cookie'

import {errorResponse} from './errors.js'

export const TOKEN_COOKIE = 'adw_ui_token'

/** Whether a --host value only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** A fresh random token (32 bytes, URL-safe). */
export const newToken = (): string => randomBytes(32).toString('base64url')

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Host names a browser on this machine uses for a loopback server. */
const LOOPBACK_HOST_HEADER = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d+)?$/

/**
 * Who may talk to the dashboard:
 * - with a token, every request carries it (the `adw_ui_token` cookie, set when the page is opened
 *   with `?token=…`, or `Authorization: Bearer …`);
 * - without one (loopback only), the Host header must name a loopback address, so a web page on
 *   another origin cannot reach it through DNS rebinding;
 * - a state-changing request (anything but GET/HEAD) must come from the dashboard's own page: its
 *   Origin header is the server's own origin.
 */
export function guard(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host') ?? ''
    if (token) {
      const fromQuery = c.req.query('token')
      if (fromQuery !== undefined && c.req.method === 'GET' && !c.req.path.startsWith('/api/')) {
        if (!sameToken(fromQuery, token)) return errorResponse(c, 401, 'UNAUTHORIZED', 'Wrong token: open the URL that adw ui printed.')
        setCookie(c, TOKEN_COOKIE, token, {httpOnly: true, sameSite: 'Strict', path: '/'})
        return c.redirect(c.req.path, 303)
      }
      const bearer = c.req.header('authorization')?.match(/^Bearer (.+)$/)?.[1]
      if (!sameToken(bearer ?? getCookie(c, TOKEN_COOKIE), token)) {
        return errorResponse(c, 401, 'UNAUTHORIZED', 'This dashboard needs its token: open the URL that adw ui printed (…/?token=…), or send Authorization: Bearer <token>.')
      }
    } else if (!LOOPBACK_HOST_HEADER.test(host)) {
      return errorResponse(c, 403, 'FORBIDDEN_HOST', `Host "${host.slice(0, 60)}" is not this machine's loopback address; open http://127.0.0.1:<port>/ or start adw ui with --token.`)
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const origin = c.req.header('origin')
      if (!origin || origin !== `${new URL(c.req.url).protocol}//${host}`) {
        return errorResponse(c, 403, 'FORBIDDEN_ORIGIN', `Refused a ${c.req.method} from origin "${(origin ?? 'none').slice(0, 60)}": changes are only accepted from the dashboard's own page.`)
      }
    }
    await next()
  }
}
