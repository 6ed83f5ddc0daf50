// A local step executor: a pipeline names it with `uses: ../steps/lint.js` (resolved from the
// pipeline file's folder). The default export is one executor, contract v1 (see README).
import {readFile} from 'node:fs/promises'
import {isAbsolute, relative, resolve} from 'node:path'

/** @type {import('adw').StepExecutor<{files: string[], maxLineLength?: number, failOnProblems?: boolean}>} */
export default {
  name: 'lint',
  description: 'Flags trailing whitespace, tabs and long lines in the given files; fails when it finds any',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['files'],
    properties: {
      files: {type: 'array', items: {type: 'string'}, minItems: 1, description: 'Files to check, relative to the working directory'},
      maxLineLength: {type: 'integer', minimum: 1, default: 120, description: 'Longest line allowed'},
      failOnProblems: {type: 'boolean', default: true, description: 'Fail the step when a problem is found'},
    },
  },
  async run(options, ctx) {
    const max = options.maxLineLength ?? 120
    const problems = []
    for (const file of options.files) {
      const path = resolve(ctx.workingDir, file)
      const rel = relative(ctx.workingDir, path)
      if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`lint: ${file} is outside the working directory`)
      ctx.progress(`lint ${rel}`)
      const lines = (await readFile(path, {encoding: 'utf8', signal: ctx.signal})).split('\n')
      lines.forEach((line, i) => {
        const at = `${rel}:${i + 1}`
        if (/[ \t]+$/.test(line)) problems.push(`${at}: trailing whitespace`)
        if (line.includes('\t')) problems.push(`${at}: tab character`)
        if (line.length > max) problems.push(`${at}: line longer than ${max} (${line.length})`)
      })
    }
    for (const p of problems) ctx.log('WARNING', 'output', p)
    if (problems.length > 0 && options.failOnProblems !== false) {
      throw new Error(`lint: ${problems.length} problem${problems.length === 1 ? '' : 's'}, first: ${problems[0]}`)
    }
    return {outputs: {problems, count: problems.length}}
  },
}
