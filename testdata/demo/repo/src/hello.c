#include "log.h"

/* The three lines from the article: a channel, a person, and plain git blame. */
void greet(const char *who)
{
    INFO_LOG("hello cruel world"); // #hello-worlders
    if (!who) {
        WARN_LOG("the sky is crying"); // @elmore
        return;
    }
    INFO_LOG("greeting %s", who);
}

int hurt(int code)
{
    if (code != 0)
        ERROR_LOG("it hurts me too: code %d", code);
    return code;
}

void tunnel_phase_failed(const char *peer, int phase, const char *why)
{
    ERROR_LOG("tunnel %s: phase %d failed: %s", peer, phase, why); // #ipsec-debug
}
