import type { Command } from '../command.js'
import { DiceError, ErrorCode } from '../../core/errors.js'

/** `dice replay`: placeholder until its stage lands. */
export const replay: Command = {
  name: 'replay',
  summary: '(not built yet)',
  usage: 'replay',
  options: {},
  async run() {
    throw new DiceError(ErrorCode.Unknown, 'replay: not built yet')
  },
}
