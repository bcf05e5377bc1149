// Command payments is the shop's payment service on kit.
//
// Usage:
//
//	SHOP_INTERNAL_TOKEN=… payments -conf deploy/prod/kratos/payments/config.yaml
//
// PAYMENTS_FAIL_EVERY=n makes every n-th charge fail, to watch the callers'
// breakers open.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/go-kratos/kratos/v2/log"

	"github.com/govctl/govctl/examples/shop/app/internal/payments"
	"github.com/govctl/govctl/kit"
)

func main() {
	confPath := flag.String("conf", "configs/config.yaml", "path of the bootstrap config.yaml")
	flag.Parse()
	logger := log.NewStdLogger(os.Stdout)
	log.SetLogger(logger)

	bc, err := kit.Load(*confPath)
	if err != nil {
		fatal(err)
	}
	opts := payments.Options{AuthToken: os.Getenv("SHOP_INTERNAL_TOKEN")}
	if v := os.Getenv("PAYMENTS_FAIL_EVERY"); v != "" {
		if opts.FailEvery, err = strconv.ParseInt(v, 10, 64); err != nil {
			fatal(fmt.Errorf("PAYMENTS_FAIL_EVERY: %w", err))
		}
	}
	svc, err := payments.New(context.Background(), bc, opts, kit.WithLogger(logger))
	if err != nil {
		fatal(err)
	}
	if err := svc.Run(); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "payments:", err)
	os.Exit(1)
}
