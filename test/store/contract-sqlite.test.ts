import {openStore} from '../../src/store/open.js'
import {rmDir} from '../helpers/cli.js'
import {storeContract} from './contract.js'
import {tempDb} from './fixtures.js'

storeContract({
  kind: 'sqlite',
  async fresh() {
    const {dir, db} = tempDb()
    return {location: db, open: () => openStore(db), cleanup: async () => rmDir(dir)}
  },
})
