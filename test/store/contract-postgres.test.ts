import {openPostgresStore} from '../../src/store/postgres/index.js'
import {freshSchema} from '../helpers/pg.js'
import {storeContract} from './contract.js'

storeContract({
  kind: 'postgres',
  async fresh() {
    const {url, drop} = await freshSchema('contract')
    return {location: url, open: () => openPostgresStore(url) as any, cleanup: drop}
  },
})
