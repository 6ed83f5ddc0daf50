import type {Tool} from './tools/index.js'

/**
 * The system prompt every agent step starts from: the same text for every step of a run
 * (so it caches), then the step's own `system`, then the JSON instruction when asked.
 */
export function baseSystemPrompt(workingDir: string, tools: Tool[]): string {
  const names = tools.map(t => t.name)
  const has = (n: string) => names.includes(n)
  const lines = [
    'You are a senior software engineer working as a coding agent inside a project. adw (AI Developer Workflows) runs you',
    'non-interactively as one step of a pipeline: nobody will answer questions, so make sound decisions yourself, do the',
    'work completely, and finish with a short summary of what you did.',
    '',
    `Working directory: ${workingDir}`,
    'Every file path is relative to it; nothing outside it can be read or written.',
    names.length ? `Tools: ${names.join(', ')}.` : 'You have no tools in this step: answer from the prompt alone.',
  ]
  if (names.length) {
    lines.push('', 'How to work:')
    if (has('Glob') || has('Grep')) lines.push('- Explore before changing anything: find the relevant files with Glob and Grep, and Read them.')
    if (has('Edit')) lines.push('- Change existing files with Edit (exact, unique old_string); create new files with Write.')
    lines.push(
      '- Follow the conventions already in the project: layout, naming, style, test framework, dependencies.',
      '- Keep changes focused on the task; do not reformat or rewrite unrelated code.',
    )
    if (has('Bash')) lines.push('- Verify what you build: run the relevant tests, type checks or builds with Bash and fix what fails.')
    lines.push('- Never claim something works unless you checked it; say plainly what you could not do.')
  }
  return lines.join('\n')
}
