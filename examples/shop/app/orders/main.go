// Command orders is the shop's order service: a Kratos v2 service that boots
// from the config.yaml govctl renders for it (govctl render --out deploy/
// writes deploy/<env>/kratos/orders/config.yaml) and Scans it into
// github.com/govctl/govctl/render/kratos/conf.Bootstrap.
//
// It serves HTTP and gRPC with the middleware chain in the order the spec
// gives, /health over HTTP and the standard grpc.health.v1 service over
// gRPC. The registry and config centre are named in the bootstrap but not
// connected: their Kratos clients live in the contrib modules, which this
// example does not depend on.
//
// Usage:
//
//	orders -conf deploy/prod/kratos/orders/config.yaml
//
// The bearer token the auth middleware accepts is read from
// ORDERS_AUTH_TOKEN; with none set, every authenticated call is refused.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-kratos/kratos/v2/log"
)

func main() {
	confPath := flag.String("conf", "configs/config.yaml", "path of the bootstrap config.yaml")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Kratos' own components (config, servers) log through the global logger.
	log.SetLogger(log.NewStdLogger(os.Stdout))
	err := run(ctx, *confPath, options{
		logOutput: os.Stdout,
		authToken: os.Getenv("ORDERS_AUTH_TOKEN"),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "orders:", err)
		os.Exit(1)
	}
}
