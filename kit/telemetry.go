package kit

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/govctl/govctl/render/kratos/conf"
)

// telemetry is the app's tracer provider: spans sampled at trace.sampler (a
// sampled parent is always followed) and exported over OTLP to
// trace.endpoint. It is passed to the middleware explicitly rather than
// installed as the OpenTelemetry global, so that nothing outlives the app.
type telemetry struct {
	provider trace.TracerProvider
	shutdown func(context.Context) error
}

func newTelemetry(ctx context.Context, bc *conf.Bootstrap, o *options) (*telemetry, error) {
	if o.tracer != nil {
		return &telemetry{provider: o.tracer, shutdown: func(context.Context) error { return nil }}, nil
	}
	res := resource.NewSchemaless(
		attribute.String("service.name", bc.Service.Name),
		attribute.String("service.version", bc.Service.Version),
		attribute.String("service.namespace", bc.Service.Namespace),
		attribute.String("deployment.environment.name", bc.Service.Env),
	)
	topts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(bc.Trace.Sampler))),
	}
	if bc.Trace.Endpoint != "" {
		var exporter sdktrace.SpanExporter
		var err error
		switch bc.Trace.Protocol {
		case "http":
			exporter, err = otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(bc.Trace.Endpoint), otlptracehttp.WithInsecure())
		default:
			exporter, err = otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(bc.Trace.Endpoint), otlptracegrpc.WithInsecure())
		}
		if err != nil {
			return nil, fmt.Errorf("trace exporter for %s: %w", bc.Trace.Endpoint, err)
		}
		topts = append(topts, sdktrace.WithBatcher(exporter))
	}
	tp := sdktrace.NewTracerProvider(topts...)
	return &telemetry{provider: tp, shutdown: tp.Shutdown}, nil
}
