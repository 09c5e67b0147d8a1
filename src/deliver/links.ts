import type { Config } from '../config/schema.js'
import type { Statement } from '../core/types.js'

/**
 * Web link to a statement's line at the commit blame names (else `HEAD`): GitHub style
 * `<repo>/blob/<commit>/<file>#L<line>`, GitLab style `<repo>/-/blob/<commit>/<file>#L<line>`.
 * Null when `repo.url` is not configured or is not http(s).
 */
export function codeLink(repo: Config['repo'], s: Pick<Statement, 'file' | 'line' | 'blame'>): string | null {
  if (!repo.url || !/^https?:\/\//i.test(repo.url)) return null
  const base = repo.url.replace(/\.git$/, '').replace(/\/+$/, '')
  const style = repo.linkStyle ?? (/gitlab/i.test(base) ? 'gitlab' : 'github')
  const commit = s.blame?.commit && /^[0-9a-f]{7,64}$/i.test(s.blame.commit) ? s.blame.commit : 'HEAD'
  const file = s.file.split('/').map(encodeURIComponent).join('/')
  return `${base}/${style === 'gitlab' ? '-/' : ''}blob/${commit}/${file}#L${s.line}`
}
