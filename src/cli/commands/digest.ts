import type { Command } from '../command.js'
import { DiceError, ErrorCode } from '../../core/errors.js'

/** `dice digest`: placeholder until its stage lands. */
export const digest: Command = {
  name: 'digest',
  summary: '(not built yet)',
  usage: 'digest',
  options: {},
  async run() {
    throw new DiceError(ErrorCode.Unknown, 'digest: not built yet')
  },
}
