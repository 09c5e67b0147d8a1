/**
 * The Kubernetes pod a container log file belongs to, from its path: the kubelet names them
 * `/var/log/containers/<pod>_<namespace>_<container>-<container id>.log` (symlinks) and
 * `/var/log/pods/<namespace>_<pod>_<pod uid>/<container>/<restart>.log` (rotated: `….log.<time>`, gzip'd too).
 * A file source without a `host` setting counts these lines under the pod: a node's lines come from many
 * pods, and container lines rarely print a host of their own.
 */
const CONTAINERS = /(?:^|\/)([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)_[a-z0-9](?:[-a-z0-9]*[a-z0-9])?_[^/]+-[0-9a-f]{64}\.log$/
const PODS = /(?:^|\/)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?_([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/[^/]+\/\d+\.log(?:\.[^/]*)?$/

/** The pod name in a kubelet log path, or null for any other path. */
export function podOf(path: string): string | null {
  const m = CONTAINERS.exec(path) ?? PODS.exec(path)
  return m ? m[1]! : null
}
