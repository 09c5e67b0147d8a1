import type { Config } from '../config/schema.js'
import type { Statement } from './types.js'

/**
 * Web link to a statement's line: GitHub style `<repo>/blob/<ref>/<file>#L<line>`, GitLab style
 * `<repo>/-/blob/<ref>/<file>#L<line>`. `ref` defaults to the commit blame names (else `HEAD`). Null when
 * `repo.url` is not configured or is not http(s). The one code-link builder: Slack messages, hand-over
 * notices and the web page all use it.
 */
export function codeLink(repo: Config['repo'], s: Pick<Statement, 'file' | 'line' | 'blame'>, ref?: string | null): string | null {
  if (!repo.url || !/^https?:\/\//i.test(repo.url)) return null
  const base = repo.url.replace(/\.git$/, '').replace(/\/+$/, '')
  const style = repo.linkStyle ?? (/gitlab/i.test(base) ? 'gitlab' : 'github')
  const commit = ref && /^([0-9a-f]{7,64}|HEAD)$/i.test(ref) ? ref : s.blame?.commit && /^[0-9a-f]{7,64}$/i.test(s.blame.commit) ? s.blame.commit : 'HEAD'
  const file = s.file.split('/').map(encodeURIComponent).join('/')
  return `${base}/${style === 'gitlab' ? '-/' : ''}blob/${commit}/${file}#L${s.line}`
}
