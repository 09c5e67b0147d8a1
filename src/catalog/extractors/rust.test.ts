import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { statements, summary } from '../testutil/extract.js'

const fixture = (name: string) => readFileSync(new URL(`../../../testdata/catalog/${name}`, import.meta.url), 'utf8')

describe('Rust extraction', () => {
  it('finds log and tracing macros in a realistic file and nothing else', async () => {
    const list = await statements('src/main.rs', fixture('main.rs'))
    expect(summary(list)).toEqual([
      '5 warn warn! "retrying connection to {}" #net',
      '6 error error! "query failed: {:?}"',
      '7 info log::info! "connected to {addr}"',
      '8 error tracing::error! "handshake failed after {} ms"',
      '9 warn tracing::warn! "escape {{literal}} braces\\n"',
      '10 warn event! "event macro {}"',
      '11 debug debug! "raw \\"string\\" {}" @rin',
      '12 error error! "formatted {}"',
      '16-19 warn warn! "multi line {}" #net @rin',
    ])
  })

  it('drops a line continuation and the next line\'s indentation inside a string', async () => {
    const [s] = await statements('a.rs', 'fn f() { warn!("first part \\\n        second part"); }')
    expect(s.template).toBe('first part second part')
  })

  it('finds log macros nested in other macros\' token trees', async () => {
    const src = 'async fn run() {\n    tokio::select! {\n        res = server.run() => {\n            if let Err(err) = res {\n                error!(cause = %err, "failed to accept"); // #ops\n            }\n        }\n        _ = shutdown => {\n            tracing::info!(\n                "shutting down {}", name\n            );\n        }\n    }\n}\n'
    expect(summary(await statements('src/server.rs', src))).toEqual(['5 error error! "failed to accept" #ops', '9-11 info info! "shutting down {}"'])
  })
})
