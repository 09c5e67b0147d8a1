package server

import (
	"fmt"
	"log"
	"log/slog"

	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
)

func (s *Server) Serve(ctx context.Context) error {
	log.Printf("listening on %s", s.addr) // #infra
	log.Fatalf("cannot bind %s: %v", s.addr, err)
	log.Panicf("impossible state %d", st)
	log.Println("shutdown requested by", who)
	s.logger.Error("request failed", zap.String("path", p), zap.Error(err)) // @lee
	sugar.Errorw("upstream timeout", "upstream", u, "ms", ms)
	sugar.Warnf("retry %d of %d", n, max)
	logrus.WithField("user", id).Warn("quota exceeded")
	logrus.WithFields(logrus.Fields{"a": 1}).Errorf("db error: %v", err)
	slog.Warn("cache miss", "key", k)
	s.log.ErrorContext(ctx, "handler panicked", "err", r)
	slog.Log(ctx, slog.LevelWarn, "via slog.Log")
	log.Error().Err(err).Msg("zerolog error")
	log.Info().Msgf("zerolog info %d", n)
	logger.Info(fmt.Sprintf("formatted %s", x))
	logger.Warn(`raw string %d`)
	fmt.Fprintf(os.Stderr, "not a log %v", err)
	t.Errorf("test helper, not a log")
	return fmt.Errorf("wrapped: %w", err)
}
