import { describe, expect, it } from 'vitest'
import { podOf } from './pod-host.js'

describe('podOf', () => {
  it('reads the pod from the kubelet container and pod log paths, rotated and gzip\'d ones included', () => {
    const id = 'a'.repeat(64)
    expect(podOf(`/var/log/containers/payments-7d9f8b6c5-x2k4q_shop_api-${id}.log`)).toBe('payments-7d9f8b6c5-x2k4q')
    expect(podOf(`/var/log/containers/web-0_default_istio-proxy-${id}.log`)).toBe('web-0')
    const pod = '/var/log/pods/shop_payments-7d9f8b6c5-x2k4q_0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/api'
    expect(podOf(`${pod}/0.log`)).toBe('payments-7d9f8b6c5-x2k4q')
    expect(podOf(`${pod}/3.log.20261125-100001.gz`)).toBe('payments-7d9f8b6c5-x2k4q')
  })

  it('finds nothing in other paths', () => {
    for (const p of ['/var/log/app/payments.log', `/var/log/containers/no-id_shop_api.log`, '/var/log/pods/shop_web/api/0.log', 'app_shop_x-123.log']) {
      expect(podOf(p)).toBeNull()
    }
  })
})
