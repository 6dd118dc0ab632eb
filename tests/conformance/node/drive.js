// Drives the real npm `akismet-api` client for tests/conformance/test_node_client.py.
// Usage: node drive.js '<json spec>'  where spec = {key, blog, host, protocol, steps: [...]}
// and each step is {op: verifyKey|checkSpam|submitSpam|submitHam, comment?: {...}}.
// Prints one JSON array: per step {ok: true, value, text?} or {ok: false, error}.
'use strict'

const { AkismetClient } = require('akismet-api')

async function run(client, step) {
  switch (step.op) {
    case 'verifyKey':
      return { value: await client.verifyKey() }
    case 'checkSpam':
      return { value: await client.checkSpam(step.comment) }
    case 'submitSpam':
    case 'submitHam': {
      const res = await client[step.op](step.comment) // resolves with the HTTP response
      return { value: res.status, text: res.text }
    }
    default:
      throw new Error(`unknown op ${step.op}`)
  }
}

async function main() {
  const spec = JSON.parse(process.argv[2])
  const client = new AkismetClient({
    key: spec.key,
    blog: spec.blog,
    host: spec.host,
    protocol: spec.protocol || 'http'
  })
  const results = []
  for (const step of spec.steps) {
    try {
      results.push({ ok: true, ...(await run(client, step)) })
    } catch (err) {
      results.push({ ok: false, error: String((err && err.message) || err) })
    }
  }
  process.stdout.write(JSON.stringify(results))
}

main().catch(err => {
  process.stderr.write(String((err && err.stack) || err))
  process.exit(1)
})
