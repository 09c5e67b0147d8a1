/** Error codes Dice reports; every thrown error we expect carries one. */
export enum ErrorCode {
  Usage = 'dice_usage',
  Config = 'dice_config',
  NotARepo = 'dice_not_a_repo',
  Store = 'dice_store',
  NotFound = 'dice_not_found',
  SlackSignature = 'dice_slack_signature',
  Permission = 'dice_permission',
  Unknown = 'dice_unknown',
}

export interface CodedError extends Error {
  code: ErrorCode
}

/** Base for expected failures. `exitCode` follows the contract: 2 usage/config, 1 runtime. */
export class DiceError extends Error implements CodedError {
  constructor(
    public code: ErrorCode,
    message: string,
    public exitCode: 1 | 2 = 1,
  ) {
    super(message)
    this.name = 'DiceError'
  }
}

/** Bad flags or arguments; exit 2. */
export class UsageError extends DiceError {
  constructor(message: string) {
    super(ErrorCode.Usage, message, 2)
  }
}

/** Bad configuration; the message names the file and the field. Exit 2. */
export class ConfigError extends DiceError {
  constructor(message: string) {
    super(ErrorCode.Config, message, 2)
  }
}

/** Wrap anything thrown into a CodedError without losing the original message. */
export function asCodedError(e: unknown): CodedError {
  if (e instanceof DiceError) return e
  const err = e instanceof Error ? e : new Error(String(e))
  return Object.assign(err, { code: ErrorCode.Unknown })
}
