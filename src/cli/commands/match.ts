import type { Command } from '../command.js'
import { DiceError, ErrorCode } from '../../core/errors.js'

/** `dice match`: placeholder until its stage lands. */
export const match: Command = {
  name: 'match',
  summary: '(not built yet)',
  usage: 'match',
  options: {},
  async run() {
    throw new DiceError(ErrorCode.Unknown, 'match: not built yet')
  },
}
