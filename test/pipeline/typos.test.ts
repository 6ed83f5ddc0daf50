import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {adw, rmDir, tmpDir} from '../helpers/cli.js'

// Executors declare their outputs (shell: exitCode, stdout, stderr), so a misspelt output is a load
// error; conditions are type-checked by cel-js at load time. Both: exit 2 before anything runs.
const GREET = 'name: typo\ninputs:\n  n: {type: number, default: 2}\n  name: {type: string, default: x}\nsteps:\n  - id: greet\n    uses: shell\n    with: {run: "echo hi"}\n'
const dirs: string[] = []
const check = async (rest: string) => {
  const dir = tmpDir({'p.yaml': GREET + rest})
  dirs.push(dir)
  return {dir, r: await adw(['validate', 'p.yaml'], {cwd: dir})}
}
test.after(() => dirs.forEach(rmDir))

test('a template reading an output the executor does not declare: file:line:col and "did you mean"', async () => {
  const {r} = await check('  - id: a\n    uses: shell\n    with: {run: "echo {{steps.greet.outputs.stdot}}"}\n')
  assert.is(r.exitCode, 2)
  assert.match(r.stderr, 'p.yaml:11:45: Step "greet" has no output "stdot" ({{steps.greet.outputs.stdot}} in step "a"). Did you mean "stdout"? Its outputs: exitCode, stdout, stderr')
})

test('conditions: a misspelt output, a string compared with an int, int + string, a non-boolean result', async () => {
  const cases: Array<[string, RegExp]> = [
    ['steps.greet.outputs.exitcode == 0', /p\.yaml:10:29: Step "greet" has no output "exitcode" in `steps\.greet\.outputs\.exitcode == 0`\. Did you mean "exitCode"\?/],
    ['steps.greet.outputs.exitCode == "0"', /p\.yaml:10:9: Type error in `steps\.greet\.outputs\.exitCode == "0"`: no such overload: int == string \(compare a number with a number/],
    ['1 + "a" == 2', /p\.yaml:10:9: Type error in `1 \+ "a" == 2`: no such overload: int \+ string/],
    ['steps.greet.outputs.stdout', /p\.yaml:10:9: `steps\.greet\.outputs\.stdout` gives a string, but a condition must be true or false/],
    ['inputs.name', /gives a string, but a condition must be true or false/],
  ]
  for (const [cond, expected] of cases) {
    const {r} = await check(`  - id: b\n    if: ${cond}\n    uses: noop\n`)
    assert.is(r.exitCode, 2, cond)
    assert.match(r.stderr, expected, r.stderr)
  }
})

test('well-typed conditions still pass: numbers, has(), dyn outputs of agents and noop, inputs', async () => {
  const {r} = await check(
    '  - id: j\n    uses: agent\n    with: {prompt: review, output: json}\n  - id: k\n    uses: noop\n    with: {outputs: {count: 1}}\n' +
      '  - id: b\n    if: steps.greet.outputs.exitCode == 0 && steps.greet.outputs.stdout != "" && has(steps.greet.outputs.stderr)\n    uses: noop\n' +
      '  - id: c\n    if: steps.j.outputs.verdict != "PASS" || size(steps.j.outputs.issues) > 0 || inputs.n > 1 || int(steps.greet.outputs.stdout) >= 3 || steps.k.outputs.count == 1\n    uses: noop\n' +
      '  - id: d\n    if: steps.greet.status == "succeeded" && run.adwId != ""\n    uses: shell\n    with: {run: "echo {{steps.greet.outputs.stdout}} {{steps.j.outputs.anything}}"}\n',
  )
  assert.is(r.exitCode, 0, r.stderr)
})

test('adw run refuses the typo before any step runs, and writes nothing', async () => {
  const dir = tmpDir({'p.yaml': GREET + '  - id: b\n    if: steps.greet.outputs.exitcode == 0\n    uses: noop\n'})
  dirs.push(dir)
  const r = await adw(['run', 'p.yaml'], {cwd: dir})
  assert.is(r.exitCode, 2)
  assert.match(r.stderr, 'Did you mean "exitCode"?')
  assert.not.ok(existsSync(join(dir, '.adw')), 'no database')
})

test('adw executors shows what each executor outputs', async () => {
  const r = await adw(['executors'])
  assert.match(r.stdout, 'shell  (built-in)\n  Runs a bash script in the working directory; outputs exitCode, stdout, stderr\n  outputs: exitCode (int), stdout (string), stderr (string)\n')
  const json = JSON.parse((await adw(['executors', '--json'])).stdout)
  assert.equal(json.find((e: {name: string}) => e.name === 'shell').outputs.map((o: {name: string; type: string}) => `${o.name}:${o.type}`), ['exitCode:int', 'stdout:string', 'stderr:string'])
  assert.is(json.find((e: {name: string}) => e.name === 'agent').outputs, 'depends on with:')
})

test.run()
