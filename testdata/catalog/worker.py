import logging

logger = logging.getLogger(__name__)
log = logging.getLogger("worker")


def run(job, attempt):
    logger.warning("job %s failed on attempt %d", job.id, attempt)  # #jobs @kim
    log.exception("unhandled error in %(name)s", {"name": job.name})
    logging.error(f"job {job.id!r} timed out after {elapsed:.1f}s")
    logger.critical("queue %s is full" % queue)
    log.log(logging.WARN, "slow job {}".format(job.id))
    logger.info("starting "
                "worker %s", name)
    logger.debug(message)
    logger.log(40, "numeric level")
    # #jobs
    log.warn(r"raw \d string")
    self.logger.error("self logger: %s", err, exc_info=True)
    print("not a log")
    warnings.warn("not a log either")
    logger.info("hash # in string")  # plain comment
    logger.error(
        "multi line %s",
        x,
    )  # @kim
