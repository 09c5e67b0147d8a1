import logging

log = logging.getLogger("worker")


def drain(queue):
    used = queue.used_percent()
    if used > 90:
        log.warning("queue %s is %d%% full", queue.name, used)
    log.debug("drained %s", queue.name)


def fetch(url, retries):
    for attempt in range(retries):
        if try_fetch(url):
            return True
    log.error("could not reach %s after %d retries", url, retries)
    return False


def try_fetch(url):
    return False
