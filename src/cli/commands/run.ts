import type { Command } from '../command.js'
import { DiceError, ErrorCode } from '../../core/errors.js'

/** `dice run`: placeholder until its stage lands. */
export const run: Command = {
  name: 'run',
  summary: '(not built yet)',
  usage: 'run',
  options: {},
  async run() {
    throw new DiceError(ErrorCode.Unknown, 'run: not built yet')
  },
}
