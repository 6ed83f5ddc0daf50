// A module resolve hook: `uvu` imported from a file under test/ is test/helpers/uvu.ts (uvu with
// per-test deadlines); everything else, that module itself included, gets the real uvu.
const TEST_DIR = new URL('../', import.meta.url).href
const WRAPPER = new URL('./uvu.ts', import.meta.url).href

export async function resolve(specifier, context, next) {
  if (specifier === 'uvu' && context.parentURL?.startsWith(TEST_DIR) && context.parentURL !== WRAPPER) {
    return {url: WRAPPER, shortCircuit: true}
  }
  return next(specifier, context)
}
