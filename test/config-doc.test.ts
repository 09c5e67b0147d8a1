import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ZodTypeAny } from 'zod'
import { configSchema } from '../src/config/schema.js'

const DOC = readFileSync(join(import.meta.dirname, '../docs/CONFIG.md'), 'utf8')

/** Every field path of the schema (`people.<key>.slack`, `sources[].path`) with its default, if any. */
function fields(t: ZodTypeAny, path = '', out = new Map<string, { def: unknown; leaf: boolean }>()): Map<string, { def: unknown; leaf: boolean }> {
  let def: unknown
  for (;;) {
    const n = t._def.typeName
    if (n === 'ZodDefault') (def ??= t._def.defaultValue()), (t = t._def.innerType)
    else if (n === 'ZodOptional') t = t._def.innerType
    else if (n === 'ZodEffects') t = t._def.schema
    else break
  }
  const n = t._def.typeName
  const add = (leaf: boolean) => path && !out.has(path) && out.set(path, { def, leaf })
  if (n === 'ZodObject') {
    add(false)
    for (const [k, v] of Object.entries(t._def.shape() as Record<string, ZodTypeAny>)) fields(v, path ? `${path}.${k}` : k, out)
  } else if (n === 'ZodDiscriminatedUnion') {
    add(false)
    for (const o of t._def.options as ZodTypeAny[]) fields(o, path, out)
  } else if (n === 'ZodArray') {
    const el = t._def.type as ZodTypeAny
    const nested = ['ZodObject', 'ZodDiscriminatedUnion'].includes(el._def.typeName)
    add(!nested)
    if (nested) fields(el, `${path}[]`, out)
  } else if (n === 'ZodRecord') {
    add(false)
    fields(t._def.valueType, `${path}.<key>`, out)
  } else add(true)
  return out
}

/** How the doc writes a default: YAML-ish scalars, JSON-ish lists with `, `. */
const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v).replace(/,/g, ', '))

describe('docs/CONFIG.md', () => {
  const all = fields(configSchema)

  it('documents every field of the configuration schema', () => {
    expect(all.size).toBeGreaterThan(50)
    const missing = [...all.keys()].filter((p) => !DOC.includes(`| \`${p}\` |`))
    expect(missing).toEqual([])
  })

  it('states the default of every field that has one, as the schema does', () => {
    const wrong: string[] = []
    for (const [p, f] of all) {
      if (!f.leaf) continue
      const row = DOC.split('\n').find((l) => l.startsWith(`| \`${p}\` |`))!
      const cell = row.split(' | ')[2]!.replace(/`/g, '').trim()
      const want = f.def === undefined ? null : shown(f.def)
      if (want === null ? !cell.startsWith('—') : cell !== want) wrong.push(`${p}: doc says ${cell}, schema ${want ?? 'none'}`)
    }
    expect(wrong).toEqual([])
  })

  it('documents no field the schema does not have', () => {
    const documented = [...DOC.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!)
    expect(documented.filter((p) => !all.has(p))).toEqual([])
  })
})
