// Package httpapi registers the shop's HTTP operations the way
// protoc-gen-go-http generates them: bind the path variables, run the
// server's middleware chain around the handler, encode the reply.
package httpapi

import (
	"context"
	"net/http"

	khttp "github.com/go-kratos/kratos/v2/transport/http"
)

// Get registers GET path (with {vars}) on srv as operation; In receives the
// path variables by their json names.
func Get[In any](srv *khttp.Server, path, operation string, h func(context.Context, *In) (any, error)) {
	srv.Route("/").GET(path, func(ctx khttp.Context) error {
		in := new(In)
		if err := ctx.BindVars(in); err != nil {
			return err
		}
		khttp.SetOperation(ctx, operation)
		out, err := ctx.Middleware(func(ctx context.Context, req any) (any, error) {
			return h(ctx, req.(*In))
		})(ctx, in)
		if err != nil {
			return err
		}
		return ctx.Result(http.StatusOK, out)
	})
}
