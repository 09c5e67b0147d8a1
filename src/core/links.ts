import type { Config } from '../config/schema.js'
import type { Statement } from './types.js'

/**
 * Web link to a statement's line: GitHub style `<repo>/blob/<commit>/<file>#L<line>`, GitLab style
 * `<repo>/-/blob/<commit>/<file>#L<line>`, at the commit whose line numbers the catalog holds
 * (`Statement.commit`, set by `dice index`) — never the blame commit, whose lines may be elsewhere; `HEAD` when
 * the statement has none (uncommitted). Null when `repo.url` is not configured or is not http(s). The one
 * code-link builder: digests, channel messages, alerts, hand-over notices, App Home and the web page use it.
 */
export function codeLink(repo: Config['repo'], s: Pick<Statement, 'file' | 'line' | 'commit'>): string | null {
  if (!repo.url || !/^https?:\/\//i.test(repo.url) || !s.file) return null
  const base = repo.url.replace(/\.git$/, '').replace(/\/+$/, '')
  const style = repo.linkStyle ?? (/gitlab/i.test(base) ? 'gitlab' : 'github')
  const commit = s.commit && /^[0-9a-f]{7,64}$/i.test(s.commit) ? s.commit : 'HEAD'
  const file = s.file.split('/').map(encodeURIComponent).join('/')
  return `${base}/${style === 'gitlab' ? '-/' : ''}blob/${commit}/${file}#L${s.line}`
}
