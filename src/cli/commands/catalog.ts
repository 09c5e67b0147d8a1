import type { Command } from '../command.js'
import { DiceError, ErrorCode } from '../../core/errors.js'

/** `dice catalog`: placeholder until its stage lands. */
export const catalog: Command = {
  name: 'catalog',
  summary: '(not built yet)',
  usage: 'catalog',
  options: {},
  async run() {
    throw new DiceError(ErrorCode.Unknown, 'catalog: not built yet')
  },
}
