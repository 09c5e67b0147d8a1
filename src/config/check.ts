import { ConfigError } from '../core/errors.js'
import { createParser } from '../ingest/formats/index.js'
import type { Config } from './schema.js'

/**
 * What `dice run` needs of a configuration beyond its schema: every preset in `formats` and every source's
 * `format` must build a parser. `dice run` and `dice config check` both call this, so a configuration the
 * check passes does not fail at start-up. Errors name the file and each bad field; exit 2.
 */
export function checkRunnable(config: Config, file: string | null): void {
  const problems: string[] = []
  const tryFormat = (field: string, format: string) => {
    try {
      createParser(format, config)
    } catch (e) {
      // The parser speaks of --format (the command-line flag); here the field is the culprit.
      problems.push(`  ${field}: ${(e as Error).message.replace(/^--format: /, '')}`)
    }
  }
  for (const name of Object.keys(config.formats)) tryFormat(`formats.${name}`, name)
  config.sources.forEach((s, i) => tryFormat(`sources.${i}.format`, s.format))
  if (problems.length) throw new ConfigError(`${file ?? '(built-in defaults)'}: invalid configuration\n${problems.join('\n')}`)
}
