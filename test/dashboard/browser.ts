import {existsSync} from 'node:fs'
import {chromium, type Browser} from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

/**
 * Debian's Chromium, headless, with the flags this offline machine needs (without the
 * background-networking ones it stalls on refused connections); playwright gives it a fresh profile.
 * Throws, never skips, when missing.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium (.ci/run does this on CI)`)
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}
