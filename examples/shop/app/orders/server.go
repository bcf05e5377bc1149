package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"sync/atomic"

	"github.com/go-kratos/kratos/v2/errors"
	"github.com/go-kratos/kratos/v2/middleware"
	kgrpc "github.com/go-kratos/kratos/v2/transport/grpc"
	khttp "github.com/go-kratos/kratos/v2/transport/http"

	"github.com/govctl/govctl/render/kratos/conf"
)

// getOrderOperation is the operation name of GetOrder, as protoc-gen-go-http
// would name it; middleware, logs and metrics see it.
const getOrderOperation = "/shop.orders.v1.Orders/GetOrder"

// newHTTPServer is the Kratos HTTP server: /health outside the middleware
// chain (the registry polls it), the orders API inside it.
func newHTTPServer(bc *conf.Bootstrap, lis net.Listener, mw []middleware.Middleware, health *health) *khttp.Server {
	srv := khttp.NewServer(
		khttp.Listener(lis),
		khttp.Network(lis.Addr().Network()),
		khttp.Address(lis.Addr().String()),
		khttp.Timeout(bc.Server.HTTP.Timeout.Std()),
		khttp.Middleware(mw...),
		// Kratos falls back to http.DefaultServeMux, which serves whatever
		// any imported package registered there.
		khttp.NotFoundHandler(http.NotFoundHandler()),
		khttp.MethodNotAllowedHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		})),
	)
	srv.HandleFunc(healthPath(bc), health.serveHTTP)
	srv.Route("/").GET("/v1/orders/{id}", getOrderHandler)
	return srv
}

// healthPath is where the registry checks the instance.
func healthPath(bc *conf.Bootstrap) string {
	if p := bc.Registry.HealthCheck.Path; p != "" {
		return p
	}
	return "/health"
}

// newGRPCServer is the Kratos gRPC server. Kratos registers the standard
// grpc.health.v1 service on it, SERVING from Start until Stop.
func newGRPCServer(bc *conf.Bootstrap, lis net.Listener, mw []middleware.Middleware) *kgrpc.Server {
	return kgrpc.NewServer(
		kgrpc.Listener(lis),
		kgrpc.Network(lis.Addr().Network()),
		kgrpc.Address(lis.Addr().String()),
		kgrpc.Timeout(bc.Server.GRPC.Timeout.Std()),
		kgrpc.Middleware(mw...),
	)
}

// stopGRPC stops the gRPC server gracefully, and forcibly when ctx ends
// first: Kratos' Stop waits for every open stream (a health Watch never
// ends by itself) and ignores its context.
func stopGRPC(ctx context.Context, srv *kgrpc.Server) error {
	done := make(chan error, 1)
	go func() { done <- srv.Stop(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		srv.Server.Stop()
		return <-done
	}
}

// order is the API's view of an order.
type order struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// getOrderRequest is GetOrder's input, bound from the path.
type getOrderRequest struct {
	ID string `json:"id"`
}

// Validate is called by the validate middleware.
func (r *getOrderRequest) Validate() error {
	if r.ID == "" {
		return errors.BadRequest("ORDER_ID_MISSING", "order id is empty")
	}
	return nil
}

// getOrderHandler is what protoc-gen-go-http generates for a GET with a
// path variable: bind, run the middleware chain around the handler, encode.
func getOrderHandler(ctx khttp.Context) error {
	var in getOrderRequest
	if err := ctx.BindVars(&in); err != nil {
		return err
	}
	khttp.SetOperation(ctx, getOrderOperation)
	h := ctx.Middleware(func(_ context.Context, req any) (any, error) {
		// The example keeps no order store: every order exists and is placed.
		return &order{ID: req.(*getOrderRequest).ID, Status: "PLACED"}, nil
	})
	out, err := h(ctx, &in)
	if err != nil {
		return err
	}
	return ctx.Result(http.StatusOK, out)
}

// health is the instance's health as /health reports it: SERVING until the
// shutdown starts, NOT_SERVING (503) while it drains, so that the registry
// stops sending traffic before the listeners close.
type health struct {
	service  conf.Service
	draining atomic.Bool
}

func newHealth(s conf.Service) *health { return &health{service: s} }

func (h *health) drain() { h.draining.Store(true) }

// healthStatus is the body of /health.
type healthStatus struct {
	Status  string `json:"status"`
	Service string `json:"service"`
	Version string `json:"version"`
	Env     string `json:"env"`
}

func (h *health) serveHTTP(w http.ResponseWriter, _ *http.Request) {
	body := healthStatus{Status: "SERVING", Service: h.service.Name, Version: h.service.Version, Env: h.service.Env}
	code := http.StatusOK
	if h.draining.Load() {
		body.Status, code = "NOT_SERVING", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
