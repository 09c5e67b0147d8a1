/**
 * Synthetic but realistic catalogs and log streams for the matching benchmark. Deterministic (seeded).
 * Templates mix common log words (Zipf-distributed, so "failed", "connection", "to" are everywhere) with
 * rarer identifiers, use every placeholder syntax, glue placeholders to punctuation (`user=%s`, `%s:`),
 * start with a placeholder ~10% of the time, and repeat the same message from several files ~2% of the time.
 */

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const COMMON = `failed to connect connection error timeout request response user session token cache miss hit retry retrying
unable could not invalid missing found not the a an of for in on at from with by is was be has have while after before during
database query table row column index transaction commit rollback lock deadlock pool worker job queue task scheduler thread
process started stopped starting stopping shutting down ready listening port server client upstream downstream proxy backend
service handler controller route path file directory read write open close closed opened socket tls certificate expired
handshake auth authentication authorization denied permission forbidden unauthorized login logout password account order
payment invoice customer product cart checkout shipping refund balance limit exceeded quota rate throttled memory disk cpu
usage high low full empty size bytes records items entries message event stream topic partition offset consumer producer
broker kafka redis postgres mysql mongo elastic http https grpc rest api call endpoint status code unexpected unknown
unsupported deprecated config configuration loaded reload reloading value key field parse parsing serialize deserialize
json xml yaml payload header body encoding decode encode version mismatch schema migration migrate upgrade tunnel phase ipsec
vpn peer node cluster leader follower election heartbeat lost recovered restored backup snapshot restore replica sync
synchronization lag delay slow fast took ms seconds minutes attempt attempts giving up skipping ignoring dropping dropped
received sent sending receiving published subscribed webhook callback notification email sms push device tenant region zone`
  .split(/\s+/)
  .filter(Boolean)

const SYL = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'zi', 'be', 'dra', 'fen', 'gor', 'hul', 'jas', 'kri', 'lum', 'mor', 'nix', 'pra', 'qua', 'ras', 'sel', 'tor', 'ulm', 'vex', 'wen', 'xor', 'yal', 'zed']

/** Identifier-like words (`korumi`, `OrderSyncer`, `fen_tor`): what makes one log message unlike another. */
function identifiers(r: () => number, n: number): string[] {
  const out = new Set<string>()
  while (out.size < n) {
    const k = 2 + Math.floor(r() * 3)
    let w = ''
    for (let i = 0; i < k; i++) w += SYL[Math.floor(r() * SYL.length)]!
    const style = r()
    if (style < 0.2) w = w[0]!.toUpperCase() + w.slice(1) + ['Service', 'Manager', 'Handler', 'Client', 'Worker'][Math.floor(r() * 5)]
    else if (style < 0.3) w = `${w}_${SYL[Math.floor(r() * SYL.length)]}`
    out.add(w)
  }
  return [...out]
}

/** Zipf(s=1) sampler over ranks 0..n-1 by inverse CDF on a precomputed table. */
function zipf(r: () => number, n: number): () => number {
  const cdf = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1)
  return () => {
    const x = r() * sum
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cdf[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

const PLACEHOLDERS = [' %s', ' %d', ' {}', ' {}', ' {name}', ' ${value}', ' %(item)s', ' %v', ' {0}', ' %5.2f']
const GLUED = ['=%s', '=%d', ':%d', ' (%s)', " '%s'", ' [%s]', ' #%d', ' %sms']

/** A vocabulary and a word sampler for one run. */
export class Vocabulary {
  readonly words: string[]
  readonly next: () => string
  constructor(r: () => number, identifierCount: number) {
    this.words = [...COMMON, ...identifiers(r, identifierCount)]
    const z = zipf(r, this.words.length)
    this.next = () => this.words[z()]!
  }
}

/** One template: word tokens and placeholders in printf, brace, Python and JS syntax. */
export function makeTemplate(r: () => number, v: Vocabulary): string {
  const n = 3 + Math.floor(r() * 8)
  const k = (() => {
    const x = r()
    return x < 0.15 ? 0 : x < 0.55 ? 1 : x < 0.85 ? 2 : 3
  })()
  const slots = new Set<number>()
  while (slots.size < k) slots.add(Math.floor(r() * (n + 1)))
  let t = ''
  for (let i = 0; i <= n; i++) {
    if (slots.has(i)) {
      if (i === 0) t += r() < 0.5 ? '%s:' : '{}'
      else if (r() < 0.3) t += GLUED[Math.floor(r() * GLUED.length)]!
      else t += PLACEHOLDERS[Math.floor(r() * PLACEHOLDERS.length)]!
    }
    if (i < n) {
      let w = v.next()
      const p = r()
      if (p < 0.08) w += ':'
      else if (p < 0.12) w += ','
      t += (t === '' ? '' : ' ') + w
    }
  }
  return t.trim()
}

/** Value for a placeholder in a rendered line. */
function value(r: () => number, v: Vocabulary, ph: string): string {
  if (/%[\d.]*f/.test(ph)) return (r() * 100).toFixed(2)
  if (ph.includes('d')) return String(Math.floor(r() * 100000))
  const x = r()
  if (x < 0.25) return v.next()
  if (x < 0.4) return String(Math.floor(r() * 1e6))
  if (x < 0.5) return `10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`
  if (x < 0.6) return Math.floor(r() * 0xffffffff).toString(16).padStart(8, '0')
  if (x < 0.7) return `/var/lib/${v.next()}/${Math.floor(r() * 100)}.dat`
  if (x < 0.8) return `${v.next()} ${v.next()}`
  if (x < 0.9) return crypto.randomUUID === undefined ? 'id' : uuid(r)
  return `${v.next()}-${Math.floor(r() * 100)}`
}

function uuid(r: () => number): string {
  const h = () => Math.floor(r() * 0x10000).toString(16).padStart(4, '0')
  return `${h()}${h()}-${h()}-${h()}-${h()}-${h()}${h()}${h()}`
}

const PH_RE = /%\(\w+\)s|%[-+#0]*\d*(?:\.\d+)?[sdvf]|\$\{\w+\}|\{\w*\}/g

/** Render a template as a logger would print it. */
export function render(r: () => number, v: Vocabulary, template: string): string {
  return template.replace(PH_RE, (ph) => value(r, v, ph))
}

/** A catalog of `n` templates (about 2% repeated, as when one message is logged from several places). */
export function makeCatalog(seed: number, n: number): { templates: string[]; vocabulary: Vocabulary } {
  const r = rng(seed)
  const v = new Vocabulary(r, Math.max(2000, Math.floor(n / 2)))
  const seen = new Set<string>()
  const templates: string[] = []
  while (templates.length < n) {
    if (templates.length > 10 && r() < 0.02) {
      templates.push(templates[Math.floor(r() * templates.length)]!)
      continue
    }
    const t = makeTemplate(r, v)
    if (seen.has(t)) continue
    seen.add(t)
    templates.push(t)
  }
  return { templates, vocabulary: v }
}

/**
 * `count` log messages: `matching` of them rendered from catalog templates (hot templates more often),
 * the rest not in the catalog: half near misses (a template with a word added or changed), half free text.
 */
export function* makeLines(seed: number, templates: string[], v: Vocabulary, count: number, matching = 0.7): Generator<string> {
  const r = rng(seed)
  const pick = zipf(r, templates.length)
  for (let i = 0; i < count; i++) {
    const x = r()
    if (x < matching) yield render(r, v, templates[pick()]!)
    else if (x < matching + (1 - matching) / 2) {
      const base = render(r, v, templates[pick()]!)
      yield r() < 0.5 ? `${base} ${v.next()}` : base.replace(/\b[a-z]{4,}\b/, (w) => `${w}x`)
    } else {
      const n = 4 + Math.floor(r() * 9)
      const ws: string[] = []
      for (let j = 0; j < n; j++) ws.push(r() < 0.15 ? String(Math.floor(r() * 10000)) : v.next())
      yield ws.join(' ')
    }
  }
}
