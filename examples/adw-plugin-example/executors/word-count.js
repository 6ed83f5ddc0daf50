import {readFile} from 'node:fs/promises'
import {resolve, relative, isAbsolute} from 'node:path'

/** @type {import('adw').StepExecutor<{file?: string, text?: string, minWords?: number}>} */
export const wordCount = {
  name: 'word-count',
  description: 'Counts the lines, words and characters of a file in the working directory, or of a text',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      file: {type: 'string', description: 'File to count, relative to the working directory'},
      text: {type: 'string', description: 'Text to count, when no file is given'},
      minWords: {type: 'integer', minimum: 0, description: 'Fail the step when there are fewer words'},
    },
  },
  async run(options, ctx) {
    if ((options.file === undefined) === (options.text === undefined)) {
      throw new Error('word-count: give exactly one of the options file and text')
    }
    let text = options.text
    if (options.file !== undefined) {
      const path = resolve(ctx.workingDir, options.file)
      const rel = relative(ctx.workingDir, path)
      if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`word-count: ${options.file} is outside the working directory`)
      ctx.progress(`reading ${rel}`)
      text = await readFile(path, {encoding: 'utf8', signal: ctx.signal})
    }
    const outputs = {
      lines: text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0),
      words: text.split(/\s+/).filter(Boolean).length,
      chars: [...text].length,
    }
    ctx.log('INFO', 'output', `${outputs.words} words, ${outputs.lines} lines`, outputs)
    if (options.minWords !== undefined && outputs.words < options.minWords) {
      throw new Error(`word-count: ${outputs.words} words, fewer than minWords ${options.minWords}`)
    }
    return {outputs}
  },
}
