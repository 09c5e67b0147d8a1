import type { Command } from '../command.js'
import { DiceError, ErrorCode } from '../../core/errors.js'

const todo = (name: string, usage: string): Command => ({
  name, usage, summary: '(not built yet)', options: {},
  async run() {
    throw new DiceError(ErrorCode.Unknown, `${name}: not built yet`)
  },
})
export const snooze = todo('snooze', 'snooze ID --for DURATION')
export const mute = todo('mute', 'mute ID')
export const unmute = todo('unmute', 'unmute ID')
export const reassign = todo('reassign', 'reassign ID --to WHO')
export const overrides = todo('overrides', 'overrides [--json]')
