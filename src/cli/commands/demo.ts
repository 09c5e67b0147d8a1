import type { Command } from '../command.js'
import { DiceError, ErrorCode } from '../../core/errors.js'

/** `dice demo`: placeholder until its stage lands. */
export const demo: Command = {
  name: 'demo',
  summary: '(not built yet)',
  usage: 'demo',
  options: {},
  async run() {
    throw new DiceError(ErrorCode.Unknown, 'demo: not built yet')
  },
}
