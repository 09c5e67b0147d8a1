import type { Store } from '../../store/store.js'

const READS = ['listStatements', 'statementsByIds', 'getStatement'] as const

/** `store`, counting the catalog reads that reach it. */
export function counting(store: Store, o: { duringList?: () => Promise<void> } = {}): { store: Store; reads: Record<string, number> } {
  const reads: Record<string, number> = { listStatements: 0, statementsByIds: 0, getStatement: 0 }
  const wrapped = new Proxy(store, {
    get(target, p) {
      const v = Reflect.get(target, p, target) as unknown
      if (typeof v !== 'function') return v
      const f = (v as (...a: unknown[]) => Promise<unknown>).bind(target)
      if (!(READS as readonly PropertyKey[]).includes(p)) return f
      return async (...a: unknown[]) => {
        reads[p as string]!++
        const out = await f(...a)
        if (p === 'listStatements') await o.duringList?.()
        return out
      }
    },
  })
  return { store: wrapped, reads }
}
