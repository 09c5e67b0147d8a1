import { parseArgs } from 'node:util'
import { UsageError } from '../core/errors.js'
import type { OptionSpec } from './command.js'
import { flagLabel } from './help.js'

/**
 * Parse `args` against `options`, with errors in Dice's words: node's parseArgs messages talk about
 * positionals after `--`, which a user who mistyped a flag does not need. `who` names the command
 * ("snooze"; empty before any command) in messages; `helpCmd` is what to run for the flag list.
 */
export function parseFlags(args: string[], options: Record<string, OptionSpec>, who: string, helpCmd: string) {
  const see = `see \`${helpCmd}\``
  const at = who ? `${who}: ` : ''
  const { tokens } = parseArgs({ args, options: nodeOptions(options), allowPositionals: true, strict: false, tokens: true })
  for (const t of tokens) {
    if (t.kind !== 'option') continue
    const o = options[t.name]
    if (!o) throw new UsageError(`${at}unknown option ${t.rawName}; ${see}`)
    if (o.type === 'boolean' && t.value !== undefined) throw new UsageError(`${at}${t.rawName} takes no value (got ${JSON.stringify(t.value)})`)
    if (o.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('-') && t.value !== '-'))) {
      throw new UsageError(`${at}${flagLabel(t.name, o)} needs a value${t.value === undefined ? '' : ` (got the flag ${t.value}; write --${t.name}=${t.value} if that is the value)`}; ${see}`)
    }
  }
  try {
    return parseArgs({ args, options: nodeOptions(options), allowPositionals: true, strict: true })
  } catch (e) {
    // Anything the checks above let through: still a usage error, still pointing at the help.
    throw new UsageError(`${at}${(e as Error).message.split('\n')[0]}; ${see}`)
  }
}

// parseArgs validates its option objects: give it only the keys it knows.
function nodeOptions(options: Record<string, OptionSpec>) {
  return Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]))
}
