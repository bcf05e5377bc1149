// Command orders-lite is the shop's read-only order view on kit, which
// answers for orders while orders is degraded.
//
// Usage:
//
//	orders-lite -conf deploy/prod/kratos/orders-lite/config.yaml
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/go-kratos/kratos/v2/log"

	"github.com/govctl/govctl/examples/shop/app/internal/orderslite"
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
	app, err := orderslite.New(context.Background(), bc, kit.WithLogger(logger))
	if err != nil {
		fatal(err)
	}
	if err := app.Run(); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "orders-lite:", err)
	os.Exit(1)
}
