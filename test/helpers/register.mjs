// `node --import ./test/helpers/register.mjs`: test files that import `uvu` get test/helpers/uvu.ts,
// uvu with a deadline on every test (npm test loads this; see test/README.md).
import {register} from 'node:module'

register('./uvu-hook.mjs', import.meta.url)
