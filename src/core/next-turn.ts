/**
 * Let the event loop turn once: timers, I/O (an HTTP request, a Slack action) and V8's task-based GC steps run.
 * A long job over synchronous SQLite never yields otherwise: its awaits resolve as microtasks, so a digest build of
 * 10^5 statements held `dice run` for seconds and its heap grew past what it kept alive (incremental marking is
 * finalized in a task).
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
