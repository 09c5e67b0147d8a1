import type { Command, CommandSpec } from '../command.js'
import { SPECS } from './specs.js'

/** A registry entry: the spec now, the command's module when it runs. */
export interface LazyCommand extends CommandSpec {
  load(): Promise<Command>
}

/** The command registry: `dice COMMAND` looks here. */
export const commands: LazyCommand[] = [
  { ...SPECS.init, load: async () => (await import('./init.js')).init },
  { ...SPECS.index, load: async () => (await import('./index-cmd.js')).index },
  { ...SPECS.deploy, load: async () => (await import('./deploy.js')).deploy },
  { ...SPECS.catalog, load: async () => (await import('./catalog.js')).catalog },
  { ...SPECS.match, load: async () => (await import('./match.js')).match },
  { ...SPECS.replay, load: async () => (await import('./replay.js')).replay },
  { ...SPECS.run, load: async () => (await import('./run.js')).run },
  { ...SPECS.digest, load: async () => (await import('./digest.js')).digest },
  { ...SPECS.stats, load: async () => (await import('./stats.js')).stats },
  { ...SPECS.snooze, load: async () => (await import('./actions.js')).snooze },
  { ...SPECS.mute, load: async () => (await import('./actions.js')).mute },
  { ...SPECS.unmute, load: async () => (await import('./actions.js')).unmute },
  { ...SPECS.reassign, load: async () => (await import('./actions.js')).reassign },
  { ...SPECS.overrides, load: async () => (await import('./actions.js')).overrides },
  { ...SPECS.doctor, load: async () => (await import('./doctor.js')).doctor },
  { ...SPECS.demo, load: async () => (await import('./demo.js')).demo },
  { ...SPECS.configCheck, load: async () => (await import('./config-check.js')).configCheck },
]
