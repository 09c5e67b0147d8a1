class SyncJob
  def perform(account)
    logger.warn "account #{account.id} is over quota" # #billing
    Rails.logger.error("sync failed: " + err.message)
    logger.info { "lazy block message #{n}" }
    logger.debug('single quoted #{not_interpolated}')
    logger.fatal(format("disk %s at %d%%", disk, pct)) # @zoe
    Rails.logger.warn "percent form %s" % [x]
    logger.error(e)
    puts "not a log"
    items.warn "not a logger"
  end
end
