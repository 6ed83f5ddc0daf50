/**
 * The real Claude Code CLI (the pinned devDependency `@anthropic-ai/claude-code`), kept off the
 * machine's own state and talking only to a fake Messages API on 127.0.0.1 (STACK-NOTES §10).
 */
import {accessSync, constants, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT} from './cli.js'

/** The binary `npm ci` installs (a hard link to the platform package's native build). */
export const REAL_CLAUDE = join(ROOT, 'node_modules/@anthropic-ai/claude-code/bin/claude.exe')

/** Throws a message saying what to install when the pinned CLI is missing: these tests never skip. */
export function requireRealClaude(): string {
  try {
    accessSync(REAL_CLAUDE, constants.X_OK)
  } catch {
    throw new Error(`The real Claude Code CLI is missing at ${REAL_CLAUDE}: run \`npm ci\` (it is a pinned devDependency, with its optional platform package).`)
  }
  return REAL_CLAUDE
}

/**
 * The environment for the real CLI: a temp HOME, every telemetry/update/report switch off, the fake
 * API's URL and a test key. `CLAUDECODE` is emptied (adw drops it anyway) so it never thinks it is nested.
 */
export function realClaudeEnv(baseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: mkdtempSync(join(tmpdir(), 'adw-claude-home-')),
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: 'sk-ant-test-not-a-real-key',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_BUG_COMMAND: '1',
    CLAUDECODE: '',
    ...extra,
  }
}
