/** The built-in tool names, in the order the model sees them (kept apart so listing options loads no tool code). */
export const TOOL_NAMES = ['Read', 'Write', 'Edit', 'Glob', 'Grep', 'Bash']
