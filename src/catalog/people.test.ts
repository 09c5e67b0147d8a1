import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../config/load.js'
import { configSchema } from '../config/schema.js'
import { personFor } from './people.js'

const config = configSchema.parse({
  people: {
    'pig@pen.mssn': { slack: 'U01PIG001', name: 'Pig', tz: 'America/New_York', aliases: ['pig', 'pig@old.example'] },
    elmore: { email: 'elmore@pen.mssn', slack: 'U02ELM001' },
  },
})

describe('personFor', () => {
  it('finds a person by key, email, Slack id or alias, ignoring case, @ and angle brackets', () => {
    expect(personFor('pig@pen.mssn', config)).toMatchObject({ key: 'pig@pen.mssn', slackId: 'U01PIG001', email: 'pig@pen.mssn', tz: 'America/New_York' })
    expect(personFor('@Pig', config)?.key).toBe('pig@pen.mssn')
    expect(personFor('<PIG@old.example>', config)?.key).toBe('pig@pen.mssn')
    expect(personFor('elmore@pen.mssn', config)).toMatchObject({ key: 'elmore', slackId: 'U02ELM001' })
    expect(personFor('U02ELM001', config)?.key).toBe('elmore')
  })
  it('returns null for strangers and empty input', () => {
    expect(personFor('nobody@x', config)).toBeNull()
    expect(personFor(null, config)).toBeNull()
    expect(personFor('pig', defaultConfig())).toBeNull()
  })
})
