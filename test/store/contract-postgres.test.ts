import {openStore} from '../../src/store/open.js'
import {freshSchema} from '../helpers/pg.js'
import {storeContract} from './contract.js'

// Each test its own schema, dropped after it; no server is a loud failure (helpers/pg.ts).
storeContract({
  kind: 'postgres',
  async fresh() {
    const {url, drop} = await freshSchema('contract')
    return {location: url, open: () => openStore(url), cleanup: drop}
  },
})
