import type { Command } from '../command.js'
import { DiceError, ErrorCode } from '../../core/errors.js'

/** `dice index`: placeholder until its stage lands. */
export const index: Command = {
  name: 'index',
  summary: '(not built yet)',
  usage: 'index',
  options: {},
  async run() {
    throw new DiceError(ErrorCode.Unknown, 'index: not built yet')
  },
}
