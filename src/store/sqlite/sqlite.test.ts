import { runStoreContract } from '../store.contract.js'
import { tempSqliteStore } from '../testutil/stores.js'

runStoreContract('SQLite', async () => (await tempSqliteStore()).store)
