import type { Command } from '../command.js'
import { configCheck } from './config-check.js'
import { index } from './index-cmd.js'
import { catalog } from './catalog.js'
import { match } from './match.js'
import { replay } from './replay.js'
import { run } from './run.js'
import { digest } from './digest.js'
import { snooze, mute, unmute, reassign, overrides } from './actions.js'
import { demo } from './demo.js'

/** The command registry: `dice COMMAND` looks here. */
export const commands: Command[] = [index, catalog, match, replay, run, digest, snooze, mute, unmute, reassign, overrides, demo, configCheck]
