import { runStoreContract } from '../store.contract.js'
import { tempPostgresStore } from '../testutil/stores.js'

runStoreContract('PostgreSQL', async () => (await tempPostgresStore()).store)
