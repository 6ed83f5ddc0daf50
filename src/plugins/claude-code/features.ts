/** Which optional flags a claude binary has, by its `--help` (asked once per binary and process). */
const seen = new Map<string, Promise<Set<string>>>()

/** How long `claude --help` may take before the flag counts as missing. */
const HELP_TIMEOUT_MS = 15_000

/** Whether `bin` accepts `flag` (e.g. `--json-schema`); false when its help cannot be read. */
export async function hasFlag(bin: string, flag: string, env: Record<string, string | undefined>): Promise<boolean> {
  let flags = seen.get(bin)
  if (!flags) {
    flags = readFlags(bin, env)
    seen.set(bin, flags)
  }
  return (await flags).has(flag)
}

async function readFlags(bin: string, env: Record<string, string | undefined>): Promise<Set<string>> {
  const {execa} = await import('execa')
  const r = await execa(bin, ['--help'], {env, extendEnv: false, stdin: 'ignore', reject: false, timeout: HELP_TIMEOUT_MS})
  return new Set(String(r.stdout ?? '').match(/--[a-z][a-z-]+/g) ?? [])
}
