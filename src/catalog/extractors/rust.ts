/**
 * Rust: `log` and `tracing` macros (`warn!`, `error!`, `log::warn!`, `tracing::error!`, `event!(Level::WARN, …)`),
 * slog-style `warn!(logger, "…")`. Macro arguments are a token tree: it is split at top-level commas,
 * fields (`target: "x"`, `error = %e`, `?err`) are skipped, and the first string literal is the message.
 * Macro calls nested in other macros (`tokio::select! { … warn!(…) … }`) are found in the token trees.
 * `panic!`, `println!` and `eprintln!` are not logs.
 */
import type { Node } from 'web-tree-sitter'
import { HOLE, lit, stringPiece, unescapeC, type Piece } from '../template.js'
import { makePiece } from './pieces.js'
import { naming, type Adapter, type CallParts, type CallSite } from './types.js'

function rustString(n: Node): Piece {
  const open = /^b?"/.exec(n.text)?.[0].length ?? 1
  return stringPiece(n, { open, close: 1, unescape: (s) => unescapeC(s, { rustContinuation: true }) })
}

function rawString(n: Node): Piece {
  const m = /^b?r(#*)"/.exec(n.text)
  if (!m) return HOLE
  return lit(n.text.slice(m[0].length, n.text.length - 1 - m[1].length))
}

const DELIMS = new Set(['(', ')', '[', ']', '{', '}'])

/** Split a token tree into comma-separated groups of tokens. */
function groups(tree: Node): Node[][] {
  const out: Node[][] = []
  let cur: Node[] = []
  for (const c of tree.children) {
    if (!c) continue
    if (!c.isNamed && DELIMS.has(c.type) && (c.startIndex === tree.startIndex || c.endIndex === tree.endIndex)) continue
    if (c.type === ',' && !c.isNamed) {
      out.push(cur)
      cur = []
    } else if (!c.type.includes('comment')) cur.push(c)
  }
  if (cur.length > 0) out.push(cur)
  return out
}

/** One representative node per argument group; field groups give none. */
function args(tree: Node | null): Node[] {
  if (!tree) return []
  const out: Node[] = []
  for (const g of groups(tree)) {
    if (g.length === 0) continue
    const t0 = g[0].type
    if (t0 === '?' || t0 === '%') continue
    if (g.length >= 2 && (g[1].type === ':' || g[1].type === '=' || g.some((n) => n.type === '='))) continue
    // `format!(…)` inside: the nested token tree; `Level::WARN`: the last segment.
    if (g.length === 3 && g[0].type === 'identifier' && g[1].type === '!' && g[2].type === 'token_tree') out.push(g[2])
    else if (g.every((n) => n.type === 'identifier' || n.type === '::')) out.push(g[g.length - 1])
    else out.push(g[0])
  }
  return out
}

/** The Rust adapter. */
export function rustAdapter(): Adapter {
  const strings: Record<string, (n: Node) => Piece> = { string_literal: rustString, raw_string_literal: rawString }
  const piece = makePiece({
    language: 'rust',
    strings,
    // A nested macro's token tree (`format!("x {}", y)`): its first string is the format.
    wrap: { token_tree: (n) => n.namedChildren.find((c) => c && (c.type === 'string_literal' || c.type === 'raw_string_literal')) ?? null },
  })
  const callSite = (node: Node, _source: string, parts: CallParts): CallSite | null => {
    // `tokio::select! { … => { warn!("…") } }`: inside a token tree a macro call is just tokens.
    if (parts.inner && parts.args) return { ...naming(`${node.text}!`), node, endNode: parts.args, args: args(parts.args) }
    const mac = node.childForFieldName('macro')
    if (!mac) return null
    const tree = node.namedChildren.find((c) => c && c.type === 'token_tree') ?? null
    return { ...naming(`${mac.text}!`), node, args: args(tree) }
  }
  return {
    language: 'rust',
    query:
      '(macro_invocation macro: (_) @name) @call (token_tree (identifier) @name . "!" . (token_tree) @args) ' +
      '(line_comment) @comment (block_comment) @comment',
    callSite,
    piece,
    isString: (n) => n.type in strings,
  }
}
