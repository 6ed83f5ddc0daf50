import {spawn} from 'node:child_process'
import {accessSync, constants} from 'node:fs'
import {delimiter, isAbsolute, join} from 'node:path'

/** Whether bubblewrap can sandbox commands here; `reason` says why not, in words a user can act on. */
export type Probe = {ok: true; bwrap: string} | {ok: false; reason: string}

const cache = new Map<string, Promise<Probe>>()

/**
 * Finds bwrap and starts one trivial sandbox with the namespaces every command gets, once per
 * process (a few ms). `ADW_BWRAP` (adw's own environment, never a project's .env) names another
 * binary; otherwise it is looked up on adw's PATH.
 */
export function probeSandbox(env: NodeJS.ProcessEnv = process.env): Promise<Probe> {
  const given = env.ADW_BWRAP?.trim()
  const key = given ?? `PATH=${env.PATH ?? ''}`
  let p = cache.get(key)
  if (!p) {
    p = probe(given ? (isAbsolute(given) ? given : undefined) : which('bwrap', env.PATH), given)
    cache.set(key, p)
  }
  return p
}

async function probe(bwrap: string | undefined, given: string | undefined): Promise<Probe> {
  if (!bwrap) {
    return {ok: false, reason: given ? `ADW_BWRAP=${given} is not an absolute path to bwrap` : 'bwrap (bubblewrap) is not installed or not on PATH'}
  }
  try {
    accessSync(bwrap, constants.X_OK)
  } catch {
    return {ok: false, reason: `${bwrap} does not exist or is not executable`}
  }
  const args = ['--die-with-parent', '--unshare-pid', '--unshare-net', '--cap-drop', 'ALL', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--', 'true']
  return new Promise(done => {
    let stderr = ''
    const child = spawn(bwrap, args, {stdio: ['ignore', 'ignore', 'pipe']})
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.on('error', e => done({ok: false, reason: `${bwrap} could not start: ${e.message}`}))
    child.on('close', code => {
      if (code === 0) done({ok: true, bwrap})
      // Typically "setting up uid map: Permission denied": user namespaces are refused (a container,
      // AppArmor's unprivileged_userns restriction, kernel.unprivileged_userns_clone=0).
      else done({ok: false, reason: `${bwrap} cannot create a sandbox here (${stderr.trim().split('\n')[0] || `exit code ${code}`}); user namespaces may be disabled`})
    })
  })
}

function which(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue
    const p = join(dir, name)
    try {
      accessSync(p, constants.X_OK)
      return p
    } catch {
      // not here
    }
  }
  return undefined
}
