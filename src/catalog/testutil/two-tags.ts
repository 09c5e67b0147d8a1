import { ALICE, BOB, TempRepo } from './repo.js'

const V1 = 'void f(){\n  WARN_LOG("cache entry %s evicted", k);\n  WARN_LOG("queue %s is full", q);\n  ERROR_LOG("disk %s failing", d);\n}\n'
// v2: one message changed, one removed, one unchanged (moved up a line by the change above it).
const V2 = 'void f(){\n  // the cache\n  WARN_LOG("cache entry %s evicted twice", k);\n  WARN_LOG("queue %s is full", q);\n}\n'

/**
 * A repository tagged v1 and v2 (the work tree at v2): in v2 one message changed (`cache entry %s evicted` →
 * `… twice`), one statement removed (`disk %s failing`), one raised from WARN to ERROR (`peer %s lost`), and a file
 * left alone (`link %s down`).
 */
export function twoTags(): TempRepo {
  const repo = TempRepo.create()
  repo.write('src/cache.c', V1).write('src/net.c', 'void g(){ ERROR_LOG("link %s down", l); }\n').write('src/peer.c', 'void p(){ WARN_LOG("peer %s lost", x); }\n')
  repo.commit(ALICE, 'v1')
  repo.git('tag', 'v1')
  // v2 also raises one statement's level: the same message, another id.
  repo.write('src/cache.c', V2).write('src/peer.c', 'void p(){ ERROR_LOG("peer %s lost", x); }\n')
  repo.commit(BOB, 'v2')
  repo.git('tag', 'v2')
  return repo
}

