import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {join} from 'node:path'
import {adw, tmpDir} from '../helpers/cli.js'

const PIPELINE = `name: cc
inputs:
  prompt: { type: string, required: true }
steps:
  - id: plan
    uses: claude-code
    with:
      prompt: "/plan {{inputs.prompt}}"
      allowedTools: [Read, Grep]
      maxTurns: 3
  - id: review
    uses: claude-code
    with: { prompt: "Review the plan", output: json, permissionMode: plan }
`

test('adw validate knows claude-code and its options', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE})
  const r = await adw(['validate', join(dir, 'p.yaml')])
  assert.is(r.exitCode, 0, r.stderr + r.stdout)
})

test('adw validate catches a misspelt claude-code option before anything runs', async () => {
  const dir = tmpDir({'p.yaml': PIPELINE.replace('permissionMode: plan', 'permisionMode: plan')})
  const r = await adw(['validate', join(dir, 'p.yaml')])
  assert.is(r.exitCode, 2)
  assert.match(r.stdout + r.stderr, 'Unknown option "permisionMode" for claude-code in step "review": did you mean "permissionMode"?')
})

test.run()
