import {mkdir, readFile, stat, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'
import {confine, display, refuseProtected, ToolError} from './paths.js'
import type {Tool} from './types.js'

const MAX_READ_BYTES = 5 * 1024 * 1024
const DEFAULT_LIMIT = 2000
const MAX_LINE = 2000

async function readText(abs: string, shown: string): Promise<string> {
  const st = await stat(abs).catch(() => undefined)
  if (!st) throw new ToolError(`File does not exist: ${shown}`)
  if (st.isDirectory()) throw new ToolError(`${shown} is a directory, not a file. Use Glob to list files.`)
  if (st.size > MAX_READ_BYTES) throw new ToolError(`${shown} is ${st.size} bytes, more than ${MAX_READ_BYTES}; use Grep to find the part you need.`)
  const buf = await readFile(abs)
  if (buf.includes(0)) throw new ToolError(`${shown} is a binary file.`)
  return buf.toString('utf8')
}

export const Read: Tool<{file_path: string; offset?: number; limit?: number}> = {
  name: 'Read',
  description:
    'Reads a text file from the working directory. Returns numbered lines (cat -n format). By default up to 2000 lines from ' +
    'the start; pass offset (1-based line number) and limit for large files. Paths are relative to the working directory.',
  input_schema: {
    type: 'object',
    properties: {
      file_path: {type: 'string', description: 'Path of the file, relative to the working directory (or absolute inside it)'},
      offset: {type: 'integer', minimum: 1, description: 'Line number to start reading from (1-based)'},
      limit: {type: 'integer', minimum: 1, description: 'Number of lines to read'},
    },
    required: ['file_path'],
  },
  summarize: i => `${i.file_path}${i.offset ? `:${i.offset}` : ''}`,
  async run(input, {root}) {
    const abs = await confine(root, input.file_path)
    const shown = display(root, abs)
    const text = await readText(abs, shown)
    if (text === '') return `(${shown} is empty)`
    const lines = text.split('\n')
    if (lines[lines.length - 1] === '') lines.pop()
    const start = Math.max(1, input.offset ?? 1)
    const end = Math.min(lines.length, start - 1 + (input.limit ?? DEFAULT_LIMIT))
    if (start > lines.length) throw new ToolError(`${shown} has ${lines.length} lines; offset ${start} is past the end.`)
    const out: string[] = []
    for (let n = start; n <= end; n++) {
      const line = lines[n - 1]
      out.push(`${String(n).padStart(6)}\t${line.length > MAX_LINE ? line.slice(0, MAX_LINE) + '… [line truncated]' : line}`)
    }
    if (end < lines.length) out.push(`... (${lines.length - end} more lines; read on with offset ${end + 1})`)
    return out.join('\n')
  },
}

export const Write: Tool<{file_path: string; content: string}> = {
  name: 'Write',
  description:
    'Writes a file in the working directory, replacing it if it exists and creating missing parent directories. ' +
    'Prefer Edit for changing part of an existing file.',
  input_schema: {
    type: 'object',
    properties: {
      file_path: {type: 'string', description: 'Path of the file, relative to the working directory'},
      content: {type: 'string', description: 'The complete new content of the file'},
    },
    required: ['file_path', 'content'],
  },
  summarize: i => i.file_path,
  async run(input, {root}) {
    if (typeof input.content !== 'string') throw new ToolError('content must be a string.')
    const abs = await confine(root, input.file_path)
    refuseProtected(root, abs)
    const shown = display(root, abs)
    const existed = await stat(abs).then(s => {
      if (s.isDirectory()) throw new ToolError(`${shown} is a directory.`)
      return true
    }, () => false)
    await mkdir(dirname(abs), {recursive: true})
    await writeFile(abs, input.content)
    return `${existed ? 'Updated' : 'Created'} ${shown} (${Buffer.byteLength(input.content)} bytes).`
  },
}

export const Edit: Tool<{file_path: string; old_string: string; new_string: string; replace_all?: boolean}> = {
  name: 'Edit',
  description:
    'Replaces exact text in a file. old_string must match the file exactly (whitespace included) and be unique unless ' +
    'replace_all is true; include surrounding lines to make it unique. An empty old_string creates a new file with new_string.',
  input_schema: {
    type: 'object',
    properties: {
      file_path: {type: 'string', description: 'Path of the file, relative to the working directory'},
      old_string: {type: 'string', description: 'The exact text to replace'},
      new_string: {type: 'string', description: 'The text to put in its place (must differ from old_string)'},
      replace_all: {type: 'boolean', default: false, description: 'Replace every occurrence of old_string'},
    },
    required: ['file_path', 'old_string', 'new_string'],
  },
  summarize: i => i.file_path,
  async run(input, {root}) {
    const abs = await confine(root, input.file_path)
    refuseProtected(root, abs)
    const shown = display(root, abs)
    const {old_string: from, new_string: to} = input
    if (typeof from !== 'string' || typeof to !== 'string') throw new ToolError('old_string and new_string must be strings.')
    const exists = await stat(abs).then(() => true, () => false)
    if (!exists && from === '') {
      await mkdir(dirname(abs), {recursive: true})
      await writeFile(abs, to)
      return `Created ${shown} (${Buffer.byteLength(to)} bytes).`
    }
    if (from === to) throw new ToolError('old_string and new_string are the same; nothing to change.')
    if (from === '') throw new ToolError(`${shown} already exists; old_string must not be empty. Use Write to replace the whole file.`)
    const text = await readText(abs, shown)
    const count = text.split(from).length - 1
    if (count === 0) throw new ToolError(`old_string was not found in ${shown}. Read the file and copy the text exactly, whitespace included.`)
    if (count > 1 && !input.replace_all) {
      throw new ToolError(`old_string occurs ${count} times in ${shown}. Include more surrounding lines to make it unique, or set replace_all.`)
    }
    // split/join, not String.replace: `$&` and friends in new_string must stay literal.
    const next = input.replace_all ? text.split(from).join(to) : text.replace(from, () => to)
    await writeFile(abs, next)
    return `Edited ${shown}: ${input.replace_all ? count : 1} replacement${(input.replace_all ? count : 1) === 1 ? '' : 's'}.`
  },
}
