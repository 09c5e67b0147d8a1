import { existsSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import { writeJson } from '../context.js'
import { DiceError, ErrorCode, UsageError } from '../../core/errors.js'
import { validateConfig } from '../../config/load.js'
import { surveyRepository } from '../../init/survey.js'
import { renderConfig } from '../../init/config-file.js'
import { FEATURES, parseFeatures, scopesFor, slackManifest } from '../../init/manifest.js'

/**
 * `dice init [DIR]`: survey the repository at DIR (its git root), write a commented dice.yml there (never over
 * an existing one without --force) and print the Slack app manifest for the chosen features on stdout; what
 * was found and what to do next go to stderr.
 */
export const init: Command = {
  ...SPECS.init,
  async run(ctx, { values, positionals }) {
    if (positionals.length > 1) throw new UsageError(`init: expected at most one DIR, got ${positionals.length}: ${positionals.join(' ')}`)
    const features = values.features != null ? parseFeatures(values.features) : [...FEATURES]
    if (typeof features === 'string') throw new UsageError(`init: --features: unknown feature ${JSON.stringify(features)}; expected some of ${FEATURES.join(', ')}`)
    if (!features.length) throw new UsageError(`init: --features: name at least one of ${FEATURES.join(', ')}`)
    if (values.url != null && values['socket-mode']) throw new UsageError('init: --url and --socket-mode cannot be combined (Socket Mode has no request URLs)')
    const url = values.url ?? 'https://dice.example.com'
    if (!/^https:\/\/[^/\s]+/.test(url)) throw new UsageError(`init: --url: Slack calls only https addresses, got ${JSON.stringify(url)}`)

    let survey
    try {
      survey = await surveyRepository(resolve(ctx.cwd, positionals[0] ?? '.'))
    } catch (e) {
      if (e instanceof DiceError && e.code === ErrorCode.NotARepo) throw new DiceError(e.code, e.message.replace(/^index: /, 'init: '), 2)
      throw e
    }
    const file = join(survey.root, 'dice.yml')
    if (existsSync(file) && !values.force) throw new UsageError(`init: ${file} exists; \`dice init --force\` replaces it (or edit it and run \`dice config check\`)`)
    const text = renderConfig(survey, new Date(ctx.clock()))
    // What we write must load: a template bug would otherwise greet every new team with a config error.
    validateConfig(parseYaml(text), file)
    writeFileSync(file, text)
    const manifest = slackManifest({ features, url, socketMode: !!values['socket-mode'] })

    if (values.json) {
      writeJson(ctx.stdout, { file, ...survey, features, scopes: scopesFor(features), manifest }, true)
      return 0
    }
    const err = (s = '') => ctx.stderr.write(s + '\n')
    err(`wrote ${file}`)
    err(`  languages: ${survey.languages.map((l) => `${l.language} ${l.files}`).join(', ') || 'none Dice reads'}`)
    err(`  logger calls recognised: ${survey.loggers.reduce((a, l) => a + l.calls, 0)} (${survey.loggers.slice(0, 5).map((l) => l.callee).join(', ') || 'none'})`)
    if (survey.suggestions.length) err(`  ${survey.suggestions.length} functions that look like loggers are suggested (commented out) under catalog.loggers: ${survey.suggestions.slice(0, 5).map((x) => x.call).join(', ')}`)
    err()
    err('Next:')
    err(`  1. read ${file}; \`dice config check\``)
    err('  2. `dice index` (builds the catalog), `dice catalog` (who owns what)')
    err(`  3. Slack: api.slack.com/apps → Create New App → From an app manifest; paste what follows (docs/SLACK.md).`)
    err(values['socket-mode']
      ? '     Socket Mode: create an app-level token with connections:write and set SLACK_APP_TOKEN, SLACK_BOT_TOKEN.'
      : `     Request URLs point at ${url}: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET for dice run.`)
    ctx.stdout.write(manifest)
    return 0
  },
}
