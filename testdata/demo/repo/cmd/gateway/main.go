package main

import (
	"time"

	log "github.com/sirupsen/logrus"
)

func handle(path string, took time.Duration) {
	if took > 500*time.Millisecond {
		log.Warnf("slow request %s took %dms", path, took.Milliseconds())
	}
}

func upstream(name string, err error) {
	if err != nil {
		log.Errorf("upstream %s unavailable: %v", name, err)
	}
}

func main() {
	log.Infof("gateway listening on %s", ":8080")
}
