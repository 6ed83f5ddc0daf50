import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {startDashboard} from '../../src/dashboard/server.js'
import {call, raw, seeded} from './helpers.js'

const TOKEN = 'tok-0123456789abcdef-xyz'

test('loopback without a token: a Host that is not loopback is refused (DNS rebinding); a POST needs the page own Origin', async () => {
  const ctx = await seeded(2)
  try {
    const port = new URL(ctx.ui.origin).port
    assert.is((await raw(ctx.ui.origin, '/api/runs', {host: `127.0.0.1:${port}`})).status, 200)
    assert.is((await raw(ctx.ui.origin, '/api/runs', {host: `localhost:${port}`})).status, 200)
    const evil = await raw(ctx.ui.origin, '/api/runs', {host: `evil.example:${port}`})
    assert.is(evil.status, 403)
    assert.equal(JSON.parse(evil.body).error.code, 'FORBIDDEN_HOST')
    // POST: no Origin, a foreign Origin → 403 before anything happens; the page's own Origin gets through.
    const path = `/api/runs/${ctx.ids[0]}/cancel`
    const none = await call(ctx.ui.origin, path, {method: 'POST'})
    assert.is(none.status, 403)
    assert.match(none.body.error.message, /Refused a POST from origin "none"/)
    const foreign = await call(ctx.ui.origin, path, {method: 'POST', headers: {origin: 'http://evil.example'}})
    assert.is(foreign.status, 403)
    assert.is(foreign.body.error.code, 'FORBIDDEN_ORIGIN')
    const own = await call(ctx.ui.origin, path, {method: 'POST', headers: {origin: ctx.ui.origin}})
    assert.is(own.status, 409, 'through the guard: the run is finished, so nothing to cancel')
    assert.match(own.body.error.message, /is succeeded, not running: there is nothing to cancel/)
  } finally {
    await ctx.done()
  }
})

test('with a token: every request needs it (bearer or the cookie set by ?token=); a wrong one is 401', async () => {
  const ctx = await seeded(2, {token: TOKEN})
  try {
    const base = ctx.ui.origin
    assert.is(ctx.ui.url, `${base}/?token=${TOKEN}`)
    for (const path of ['/api/runs', '/api/stats', '/', '/assets/app.js', `/api/runs/${ctx.ids[0]}/events`]) {
      const r = await call(base, path)
      assert.is(r.status, 401, path)
      assert.match(r.body.error.message, /needs its token/)
    }
    assert.is((await call(base, '/api/runs', {headers: {authorization: `Bearer ${TOKEN}x`}})).status, 401)
    assert.is((await call(base, '/api/runs', {headers: {authorization: `Bearer ${TOKEN}`}})).status, 200)
    assert.is((await call(base, '/?token=wrong')).status, 401)
    const open = await call(base, `/?token=${TOKEN}`)
    assert.is(open.status, 303)
    assert.is(open.headers.get('location'), '/')
    const cookie = open.headers.get('set-cookie')!
    assert.match(cookie, /^adw_ui_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict/)
    const jar = cookie.split(';')[0]
    assert.is((await call(base, '/api/runs', {headers: {cookie: jar}})).status, 200)
    assert.is((await call(base, '/', {headers: {cookie: jar}})).status, 200)
    // A state change needs the token and the Origin.
    const path = `/api/runs/${ctx.ids[0]}/cancel`
    assert.is((await call(base, path, {method: 'POST', headers: {origin: base}})).status, 401)
    assert.is((await call(base, path, {method: 'POST', headers: {cookie: jar}})).status, 403)
    assert.is((await call(base, path, {method: 'POST', headers: {cookie: jar, origin: base}})).status, 409)
  } finally {
    await ctx.done()
  }
})

test('a host other than loopback draws a token when none is given; a short --token is refused', async () => {
  const ctx = await seeded(1, {host: '0.0.0.0'})
  try {
    assert.ok(ctx.ui.token && ctx.ui.token.length >= 40, 'a random token')
    assert.ok(ctx.ui.url.endsWith(`/?token=${ctx.ui.token}`))
    const local = ctx.ui.origin.replace('0.0.0.0', '127.0.0.1')
    assert.is((await call(local, '/api/runs')).status, 401)
    assert.is((await call(local, '/api/runs', {headers: {authorization: `Bearer ${ctx.ui.token}`}})).status, 200)
  } finally {
    await ctx.done()
  }
  try {
    await startDashboard({dbPath: '/nonexistent.db', port: 0, token: 'short'})
    assert.unreachable('a short token must be refused')
  } catch (error: any) {
    assert.is(error.code, 'USAGE')
    assert.match(error.message, /--token is too short: use at least 16 characters/)
  }
})

test('nothing secret-looking of the server process reaches a response: the page and API carry no env values', async () => {
  const secret = 'sk-ant-dashboard-env-9f8e7d6c'
  process.env.ANTHROPIC_API_KEY_UI_TEST = secret
  const ctx = await seeded(2)
  try {
    for (const path of ['/', '/assets/app.js', '/api/runs', `/api/runs/${ctx.ids[0]}`, `/api/runs/${ctx.ids[0]}/logs`, '/api/stats', `/api/runs/${ctx.ids[0]}/plan`]) {
      const text = await (await fetch(ctx.ui.origin + path)).text()
      assert.not.ok(text.includes(secret), path)
    }
  } finally {
    delete process.env.ANTHROPIC_API_KEY_UI_TEST
    await ctx.done()
  }
})

test.run()
