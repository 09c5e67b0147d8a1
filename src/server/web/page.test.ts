import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultConfig } from '../../config/load.js'
import type { Statement } from '../../core/types.js'
import { Actions } from '../../route/actions.js'
import type { Store } from '../../store/store.js'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import { startServer, type RunningServer } from '../http.js'
import { renderPage, sparkline, type PageData } from './page.js'

const HOUR = 3_600_000
/** In the page: how wide its content is, and its viewport (more content than viewport: sideways scrolling). */
const widths = (): [number, number] => {
  const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number }
  return [g.document.documentElement.scrollWidth, g.innerWidth]
}
const ARTIFACTS = join(import.meta.dirname, '../../../test-artifacts')
const stmt = (id: string, file: string, line: number, template: string | null, extra: Partial<Statement> = {}): Statement => ({
  id, file, line, endLine: line, language: 'c', level: 'error', template, matchable: true, channels: [], mentions: [],
  blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'c'.repeat(40), time: '2026-01-01T00:00:00Z' }, callee: 'ERROR_LOG', ...extra,
})

describe('web page in a real browser (Debian chromium)', () => {
  let store: Store
  let server: RunningServer
  let browser: Browser
  const now = Date.now()

  beforeAll(async () => {
    store = (await tempSqliteStore()).store
    const config = defaultConfig()
    config.repo.url = 'https://github.com/pen/farm'
    await store.replaceFiles([{ file: 'src/net/ipsec.c', hash: 'a' }, { file: 'src/hello.c', hash: 'b' }, { file: 'src/sky.c', hash: 'c' }, { file: 'services/payments/internal/adapters/outbound/bank/transfer_client.c', hash: 'd' }], [
      stmt('ipsec1', 'src/net/ipsec.c', 120, 'tunnel %s: phase %d failed', { channels: ['ipsec-debug'] }),
      stmt('hello1', 'src/hello.c', 7, 'hello cruel world', { level: 'info', channels: ['hello-worlders'], blame: null }),
      stmt('sky1', 'src/sky.c', 42, 'the sky is crying <script>window.__pwned=1</script>', { level: 'warn', mentions: ['elmore'] }),
      // What squeezed the message column: a deep path and a long owner email.
      stmt('long1', 'services/payments/internal/adapters/outbound/bank/transfer_client.c', 1234, 'transfer %s to %s failed after %d retries, giving up on this batch',
        { blame: { email: 'someone.with.a.rather.long.name@payments.example.com', name: 'S', commit: 'c'.repeat(40), time: '2026-01-01T00:00:00Z' } }),
    ], [])
    // A day of occurrences, hourly, rising towards now for the IPsec statement.
    const occurrences = []
    for (let h = 0; h < 24; h++) {
      const t = now - h * HOUR - 60_000
      occurrences.push({ statementId: 'ipsec1', host: 'gw-1', bucket: Math.floor(t / 300_000) * 300_000, count: 24 - h + (h % 3) * 4, firstSeen: t, lastSeen: t, level: 'error' as const, samples: [] })
      if (h % 4 === 0) occurrences.push({ statementId: 'sky1', host: 'web-2', bucket: Math.floor(t / 300_000) * 300_000, count: 3, firstSeen: t, lastSeen: t, level: 'warn' as const, samples: [] })
    }
    await store.applyCounts({ occurrences, checkpoints: [], unowned: [{ shapeHash: 'u1', shape: 'disk <NUM> is <NUM>% full', host: 'db-1', bucket: now - HOUR, count: 17, firstSeen: now - HOUR, lastSeen: now - 60_000, level: 'warn', samples: ['disk 3 is 97% full'] }] })
    await store.enqueue({ dedupKey: 'digest:pig:1', kind: 'digest', recipient: 'pig@pen.mssn', payload: {}, notBefore: now + HOUR, createdAt: now })
    const actions = new Actions({ store, config, clock: () => now })
    await actions.snooze({ statementId: 'hello1', actor: { id: 'U0BOB0001', trusted: true }, for: '1d', channel: 'hello-worlders' })
    await actions.mute({ statementId: 'sky1', actor: { id: 'U0PIG0001', trusted: true }, scope: 'user' })
    await actions.reassign({ statementId: 'ipsec1', actor: { id: 'U0PIG0001', trusted: true }, to: 'elmore@pen.mssn', reason: 'Elmore owns IPsec' })
    server = await startServer({ store, config, clock: () => now, actions, host: '127.0.0.1', port: 0, env: {}, log: () => {} })
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await store?.close()
  })

  it('shows the catalog with owners, code links and sparklines; the search box hides rows; log text stays text', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
    await page.goto(server.url + '/')
    const ipsec = page.locator('tr.stmt', { hasText: 'tunnel %s: phase %d failed' })
    await expect(ipsec.isVisible()).resolves.toBe(true)
    await expect(ipsec.locator('a').getAttribute('href')).resolves.toBe('https://github.com/pen/farm/blob/HEAD/src/net/ipsec.c#L120')
    await expect(ipsec.textContent()).resolves.toContain('elmore@pen.mssn')
    expect(await ipsec.locator('svg.spark polyline').count()).toBe(1)
    expect(await ipsec.locator('svg.spark').isVisible()).toBe(true)
    // Log text is shown, never run.
    expect(await page.locator('tr.stmt', { hasText: '<script>window.__pwned=1</script>' }).isVisible()).toBe(true)
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    for (const text of ['disk <NUM> is <NUM>% full', 'pig@pen.mssn', '#hello-worlders', 'Elmore owns IPsec', 'reassign']) {
      expect(await page.locator('main').textContent()).toContain(text)
    }
    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, 'web-page.png'), fullPage: true })
    expect(existsSync(join(ARTIFACTS, 'web-page.png'))).toBe(true)

    await page.fill('#q', 'ipsec')
    expect(await ipsec.isVisible()).toBe(true)
    expect(await page.locator('tr.stmt', { hasText: 'hello cruel world' }).isVisible()).toBe(false)
    expect(await page.locator('#count').textContent()).toBe('1 shown')
    await page.fill('#q', '')
    expect(await page.locator('tr.stmt', { hasText: 'hello cruel world' }).isVisible()).toBe(true)
    await page.close()
  })

  it('gives the message column the room at 1280 px and shows one card per statement on a phone, with no sideways scrolling', async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    const desk = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await desk.goto(server.url + '/')
    const row = desk.locator('tr.stmt', { hasText: 'transfer %s to %s failed' })
    const w = async (sel: string) => (await row.locator(sel).boundingBox())!.width
    const [msg, where, owner] = [await w('td.tmpl'), await w('td.where'), await w('td.owner')]
    const table = (await desk.locator('#catalog table').boundingBox())!.width
    // The message gets the widest column and at least 40% of the table; code and owner wrap instead.
    expect(msg).toBeGreaterThan(where)
    expect(msg).toBeGreaterThan(owner)
    expect(msg / table).toBeGreaterThan(0.4)
    const [scroll, inner] = await desk.evaluate(widths)
    expect(scroll).toBeLessThanOrEqual(inner)
    // The line number is never split from the path on its own line: the whole link is in the cell.
    expect(await row.locator('td.where').textContent()).toContain('transfer_client.c:1234')
    await desk.screenshot({ path: join(ARTIFACTS, 'web-page-1280.png'), fullPage: true })
    await desk.close()

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    await phone.goto(server.url + '/')
    // Against the device width: a mobile browser widens its layout viewport to fit content that overflows.
    expect(await phone.evaluate(widths)).toEqual([390, 390])
    const card = phone.locator('tr.stmt', { hasText: 'transfer %s to %s failed' })
    const m = (await card.locator('td.tmpl').boundingBox())!
    // On a phone the message spans the card: nearly the whole screen width, above the code link.
    expect(m.width).toBeGreaterThan(390 * 0.8)
    expect((await card.locator('td.where').boundingBox())!.y).toBeGreaterThan(m.y)
    expect(await phone.locator('#catalog thead').isVisible()).toBe(false)
    await phone.screenshot({ path: join(ARTIFACTS, 'web-page-phone.png'), fullPage: true })
    await phone.close()
    expect(existsSync(join(ARTIFACTS, 'web-page-1280.png')) && existsSync(join(ARTIFACTS, 'web-page-phone.png'))).toBe(true)
  })

  it('filters on the server with ?q= (no script needed)', async () => {
    const page = await browser.newPage({ javaScriptEnabled: false })
    await page.goto(server.url + '/?q=' + encodeURIComponent('@never-matches'))
    expect(await page.locator('tr.stmt').count()).toBe(0)
    await page.goto(server.url + '/?q=hello')
    expect(await page.locator('tr.stmt').count()).toBe(1)
    await page.close()
  })
})

describe('renderPage', () => {
  it('escapes every field taken from code or logs', () => {
    const bad = '"><img src=x onerror=alert(1)>'
    const d: PageData = {
      now: 0, q: bad, statements: [stmt('x', `a${bad}.c`, 1, bad, { channels: [bad] })], overrides: [], hourly: new Map(), totals: new Map(), commit: null,
      unowned: [{ shapeHash: 'h', shape: bad, host: bad, bucket: 0, count: 1, firstSeen: 0, lastSeen: 0, level: 'warn', samples: [bad] }],
      outbox: [], snoozes: [], mutes: [], audit: [{ id: 1, at: 0, actor: bad, action: bad, statementId: 'x', before: bad, after: null }],
    }
    const html = renderPage(d, defaultConfig())
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
  })

  it('renders a stored snooze whose end is past what a date can hold instead of failing the page', () => {
    const d: PageData = {
      now: 0, q: '', statements: [stmt('x', 'a.c', 1, 'x')], overrides: [], hourly: new Map(), totals: new Map(), commit: null, unowned: [], outbox: [], mutes: [], audit: [],
      snoozes: [{ id: 1, statementId: 'x', scope: 'user', scopeId: 'U1', until: 6e16, remaining: null, by: 'U1', createdAt: 0 }],
    }
    expect(renderPage(d, defaultConfig())).toContain('<section id="snoozes">')
  })

  it('says which messages are logged in several places (their lines are ambiguous), why a statement is not matchable, and its wrapper', () => {
    const d: PageData = {
      now: 0, q: '', overrides: [], hourly: new Map(), totals: new Map(), commit: null, unowned: [], outbox: [], mutes: [], audit: [], snoozes: [],
      statements: [
        stmt('a', 'app/db/pool.py', 4, 'retrying request %s'), stmt('b', 'app/http/client.py', 4, 'retrying request %s'),
        stmt('c', 'src/Boot.java', 4, null, { matchable: false, reason: 'the message is a parameter of logBanner' }),
        stmt('d', 'src/Boot.java', 7, 'Loaded plugin: {}', { via: 'logBanner' }),
      ],
      ties: [{ statementId: 'a', alsoId: 'b', count: 3, firstSeen: 0, lastSeen: 0 }],
    }
    const html = renderPage(d, defaultConfig())
    expect(html.match(/same message in 2 places/g)).toHaveLength(2)
    // Counted once, on the first; each says where the other's lines are.
    expect(html).toContain('ambiguous: 3 line(s) counted here could be from <code>b</code>')
    expect(html).toContain('ambiguous: its lines may be counted on <code>a</code>')
    expect(html).toContain('not matchable: the message is a parameter of logBanner')
    expect(html).toContain('via logBanner')
  })

  it('draws a sparkline with one point per hour scaled to the busiest hour', () => {
    const svg = sparkline([0, 5, 10], 100, 24)
    expect(svg).toContain('polyline fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" points="0.0,22.0 50.0,12.0 100.0,2.0"')
  })
})
