#include <glog/logging.h>
#include <spdlog/spdlog.h>

void Server::Accept(int fd) {
  LOG(ERROR) << "accept failed on fd=" << fd << ": " << strerror(errno) << std::endl;  // #net
  LOG(WARNING) << "slow client " << peer_
               << " took " << ms << "ms";
  LOG_IF(INFO, verbose_) << "accepted " << fd;
  VLOG(2) << "poll loop tick";
  spdlog::warn("queue depth {} above {}", depth, limit);
  logger_->error("handshake with {} failed: {}", peer_, err.what());
  spdlog::get("net")->info("listening on {}", port);
  SPDLOG_CRITICAL("out of memory");
  qWarning() << "Qt warning" << x;
  LOG_WARN("plain macro %d", 1);
  std::cerr << "not a log" << std::endl;
  items.error();
  auto s = fmt::format("x {}", 1);
  LOG(ERROR) << R"(raw "string")";
}
