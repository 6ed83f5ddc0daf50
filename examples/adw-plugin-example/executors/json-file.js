import {mkdir, writeFile} from 'node:fs/promises'
import {dirname, isAbsolute, relative, resolve} from 'node:path'

/** @type {import('adw').StepExecutor<{path: string, data: unknown, indent?: number}>} */
export const jsonFile = {
  name: 'json-file',
  description: 'Writes `data` as a JSON file inside the working directory; outputs path and bytes',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['path', 'data'],
    properties: {
      path: {type: 'string', description: 'File to write, relative to the working directory'},
      data: {description: 'The value to write (templates are rendered first)'},
      indent: {type: 'integer', minimum: 0, maximum: 8, default: 2, description: 'Spaces of indentation'},
    },
  },
  async run(options, ctx) {
    const path = resolve(ctx.workingDir, options.path)
    const rel = relative(ctx.workingDir, path)
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new Error(`json-file: ${options.path} is outside the working directory`)
    const text = JSON.stringify(options.data, null, options.indent ?? 2) + '\n'
    await mkdir(dirname(path), {recursive: true})
    await writeFile(path, text, {signal: ctx.signal})
    ctx.log('INFO', 'milestone', `wrote ${rel}`, {bytes: Buffer.byteLength(text)})
    return {outputs: {path: rel, bytes: Buffer.byteLength(text)}}
  },
}
