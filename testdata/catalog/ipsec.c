/* IPsec tunnel setup: a realistic C file with the logging styles Dice must find. */
#include <inttypes.h>
#include <stdio.h>
#include <syslog.h>
#include "log.h"

#define TUNNEL_FAIL(t) \
  ERROR_LOG("tunnel %s failed", (t)->name)

static int phase_one(struct tunnel *t, uint64_t spi)
{
    INFO_LOG("hello cruel world"); // #hello-worlders
    WARN_LOG("the sky is crying"); // @elmore
    ERROR_LOG("it hurts me too");

    if (t->retries > MAX_RETRIES) {
        // #ipsec-debug @elmore
        WARN_LOG("tunnel %s: phase %d failed after %d retries\n", t->name, 1, t->retries);
        return -1;
    }
    DEBUG_LOG("spi=%" PRIx64 " bytes=%" PRIu64 " \"quoted\"\ttab", spi, t->bytes);
    LOG_ERROR("proposal mismatch: local=%s "
              "remote=%s",
              t->local, t->remote); /* #ipsec-debug */
    syslog(LOG_DAEMON | LOG_ERR, "rekey of %s failed: %m", t->name);
    syslog(LOG_WARNING, "dpd timeout on %s", t->name);
    fprintf(stderr, "this is printf to stderr %d\n", 1);
    printf("not a log either\n");
    ERROR_LOG(t->last_error);
    ERROR_LOG("%s", t->last_error);
    pr_err("kernel style %d\n", 3);
    log.error("struct logger %d", 4);
    ERROR_LOG("a very long message " \
              "continued with a backslash %lu", spi);
    return 0; // see #1234
}
