package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-kratos/kratos/v2/middleware/metrics"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/govctl/govctl/render/kratos/conf"
)

// telemetry is the service's own tracer and meter providers. They are
// passed to the middleware explicitly rather than installed as the otel
// globals, so that nothing outlives run.
type telemetry struct {
	tracer   *sdktrace.TracerProvider
	meter    *sdkmetric.MeterProvider
	requests metric.Int64Counter
	seconds  metric.Float64Histogram
}

// newTelemetry builds the providers from the bootstrap: spans sampled at
// trace.sampler (a sampled parent is always followed) and exported over
// OTLP to trace.endpoint unless exporter replaces it; the request metrics
// of Kratos' metrics middleware, read by reader when set.
//
// Metrics are recorded but not served at metrics.path: a Prometheus
// exporter is a dependency this example leaves out.
func newTelemetry(ctx context.Context, bc *conf.Bootstrap, exporter sdktrace.SpanExporter, reader sdkmetric.Reader) (*telemetry, error) {
	res := resource.NewSchemaless(
		attribute.String("service.name", bc.Service.Name),
		attribute.String("service.version", bc.Service.Version),
		attribute.String("deployment.environment.name", bc.Service.Env),
	)
	if exporter == nil && bc.Trace.Endpoint != "" {
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
	}
	topts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(bc.Trace.Sampler))),
	}
	if exporter != nil {
		topts = append(topts, sdktrace.WithBatcher(exporter))
	}
	t := &telemetry{tracer: sdktrace.NewTracerProvider(topts...)}

	mopts := []sdkmetric.Option{sdkmetric.WithResource(res)}
	if reader != nil {
		mopts = append(mopts, sdkmetric.WithReader(reader))
	}
	t.meter = sdkmetric.NewMeterProvider(mopts...)
	meter := t.meter.Meter("github.com/govctl/govctl/examples/shop/app/orders")
	var err error
	if t.requests, err = metrics.DefaultRequestsCounter(meter, metrics.DefaultServerRequestsCounterName); err != nil {
		return nil, errors.Join(fmt.Errorf("requests counter: %w", err), t.shutdown(ctx))
	}
	if t.seconds, err = metrics.DefaultSecondsHistogram(meter, metrics.DefaultServerSecondsHistogramName); err != nil {
		return nil, errors.Join(fmt.Errorf("seconds histogram: %w", err), t.shutdown(ctx))
	}
	return t, nil
}

// shutdown flushes and stops both providers.
func (t *telemetry) shutdown(ctx context.Context) error {
	return errors.Join(t.tracer.Shutdown(ctx), t.meter.Shutdown(ctx))
}
