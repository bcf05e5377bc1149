// Command orders is the shop's order service on kit: it boots from the
// config.yaml govctl renders for it (govctl render --out deploy/ writes
// deploy/<env>/kratos/orders/config.yaml), and kit enforces what that file
// says: the middleware chain, the breaker and deadline in front of
// payments, the degradation ladder with orders-lite as its fallback, the
// rate limit, registration, and its Nacos entry hot reloaded.
//
// Usage:
//
//	ORDERS_AUTH_TOKEN=… SHOP_INTERNAL_TOKEN=… orders -conf deploy/prod/kratos/orders/config.yaml
//
// ORDERS_AUTH_TOKEN is the bearer token callers present (none set: every
// authenticated call is refused); SHOP_INTERNAL_TOKEN is the one orders
// presents to payments.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/go-kratos/kratos/v2/log"

	"github.com/govctl/govctl/examples/shop/app/internal/orders"
	"github.com/govctl/govctl/kit"
)

func main() {
	confPath := flag.String("conf", "configs/config.yaml", "path of the bootstrap config.yaml")
	flag.Parse()
	logger := log.NewStdLogger(os.Stdout)
	log.SetLogger(logger) // Kratos' own components log through the global logger

	bc, err := kit.Load(*confPath)
	if err != nil {
		fatal(err)
	}
	svc, err := orders.New(context.Background(), bc, orders.Options{
		AuthToken:   os.Getenv("ORDERS_AUTH_TOKEN"),
		ClientToken: os.Getenv("SHOP_INTERNAL_TOKEN"),
	}, kit.WithLogger(logger))
	if err != nil {
		fatal(err)
	}
	defer svc.Close()
	// Run serves until SIGINT or SIGTERM, then drains and deregisters.
	if err := svc.Run(); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "orders:", err)
	os.Exit(1)
}
