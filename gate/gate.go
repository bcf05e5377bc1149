// Package gate is the canary metric gate of govctl's deploy workflows: it
// asks Prometheus for the error rate of a service's canary and compares it
// with the environment's maxErrorRate. It fails closed: when the rate cannot
// be measured (no data, no traffic, a Prometheus error, a timeout) Check
// returns an error rather than a pass.
//
// It speaks the Prometheus HTTP API, instant queries on /api/v1/query
// (https://prometheus.io/docs/prometheus/latest/querying/api/), over Istio's
// request counter (istio_requests_total unless the spec names another,
// https://istio.io/latest/docs/reference/config/metrics/). CheckService is
// `govctl gate`: the limit, window and metric are the spec's
// (schema.Resolved.GateLimit, GateWindow, GateMetric).
package gate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Defaults for Options.
const (
	DefaultAttempts    = 3
	DefaultRetryDelay  = time.Second
	defaultMaxResponse = 10 << 20
)

// Options says what to measure, where, and what is acceptable.
type Options struct {
	// PrometheusURL is the server's base URL, e.g. "http://prometheus:9090"
	// or one with a path prefix ("https://example.com/prometheus").
	PrometheusURL string

	// Namespace, Service and Version select the canary: Istio's
	// destination_workload_namespace, destination_app and
	// destination_version labels.
	Namespace string
	Service   string
	Version   string

	// Metric is the request counter, e.g. istio_requests_total; required
	// unless Query is given.
	Metric string
	// Window is the rate() range; required unless Query is given.
	Window time.Duration
	// Query replaces the generated PromQL entirely. It must return an
	// instant vector with one sample: the error rate as a fraction.
	Query string

	// MaxErrorRate is the highest error rate (a fraction, 0.005 = 0.5 %)
	// that passes. It must be greater than 0 and at most 1.
	MaxErrorRate float64

	// BearerToken, or Username and Password, authenticate to Prometheus.
	// They are sent only in the Authorization header and never appear in
	// results or errors.
	BearerToken string
	Username    string
	Password    string

	// HTTPClient sends the requests; http.DefaultClient when nil.
	HTTPClient *http.Client
	// Attempts bounds the tries on 5xx answers and connection errors;
	// DefaultAttempts when zero.
	Attempts int
	// RetryDelay is the wait before the second try, doubled after each;
	// DefaultRetryDelay when zero.
	RetryDelay time.Duration
	// Sleep waits between tries; a context-aware time.Sleep when nil.
	// Tests inject a recorder.
	Sleep func(ctx context.Context, d time.Duration) error
	// Time is the evaluation time; the server's "now" when zero.
	Time time.Time
}

// Result is a completed measurement.
type Result struct {
	// ErrorRate is the measured fraction of failed requests.
	ErrorRate float64
	// MaxErrorRate is the threshold it was compared with.
	MaxErrorRate float64
	// Passed is true when ErrorRate <= MaxErrorRate. A Result with Passed
	// false and a nil error means the canary is measurably bad: roll back.
	Passed bool
	// Query is the PromQL that was evaluated.
	Query string
	// Endpoint is the query URL, with any credentials removed.
	Endpoint string
	// Warnings are Prometheus's warnings about the query, if any.
	Warnings []string
}

// String summarises the result in one line.
func (r Result) String() string {
	verdict := "PASS"
	if !r.Passed {
		verdict = "FAIL"
	}
	return fmt.Sprintf("%s: error rate %.4g%% (threshold %.4g%%)", verdict, r.ErrorRate*100, r.MaxErrorRate*100)
}

// Errors that Check wraps, for errors.Is. Each means the gate could not
// measure the canary and must be treated as a failure.
var (
	// ErrNoData: the query returned an empty vector — no request series
	// match the canary's labels in the window.
	ErrNoData = errors.New("no data")
	// ErrNoTraffic: the rate is NaN (0/0), the canary received no requests
	// in the window.
	ErrNoTraffic = errors.New("no traffic")
	// ErrQuery: Prometheus answered with an error or an unusable result.
	ErrQuery = errors.New("query failed")
	// ErrUnavailable: Prometheus could not be reached or kept answering
	// 5xx, or the request timed out.
	ErrUnavailable = errors.New("prometheus unavailable")
)

// Check measures the canary's error rate and compares it with
// opts.MaxErrorRate. It returns an error whenever the rate could not be
// measured; a nil error with Result.Passed false means the rate is over the
// threshold.
func Check(ctx context.Context, opts Options) (Result, error) {
	res := Result{MaxErrorRate: opts.MaxErrorRate}
	if err := validate(opts); err != nil {
		return res, fmt.Errorf("canary gate: %w", err)
	}
	query, err := Query(opts)
	if err != nil {
		return res, fmt.Errorf("canary gate: %w", err)
	}
	res.Query = query
	endpoint, err := queryEndpoint(opts.PrometheusURL)
	if err != nil {
		return res, fmt.Errorf("canary gate: %w", err)
	}
	res.Endpoint = endpoint.Redacted()
	what := "canary gate"
	if opts.Query == "" {
		what = fmt.Sprintf("canary gate for %s/%s version %s", opts.Namespace, opts.Service, opts.Version)
	}

	body, err := queryWithRetries(ctx, opts, endpoint, query)
	if err != nil {
		return res, fmt.Errorf("%s (query %s at %s): %w", what, query, res.Endpoint, err)
	}
	rate, warnings, err := parseResponse(body)
	res.Warnings = warnings
	if err != nil {
		return res, fmt.Errorf("%s (query %s at %s): %w", what, query, res.Endpoint, err)
	}
	res.ErrorRate = rate
	res.Passed = rate <= opts.MaxErrorRate
	return res, nil
}

func validate(opts Options) error {
	switch {
	case opts.PrometheusURL == "":
		return errors.New("no Prometheus URL given")
	case math.IsNaN(opts.MaxErrorRate) || opts.MaxErrorRate <= 0 || opts.MaxErrorRate > 1:
		return fmt.Errorf("maxErrorRate %v must be a fraction greater than 0 and at most 1 (0.005 = 0.5 %%)", opts.MaxErrorRate)
	case opts.Query == "" && (opts.Namespace == "" || opts.Service == "" || opts.Version == ""):
		return errors.New("namespace, service and version are all needed to select the canary")
	case opts.BearerToken != "" && (opts.Username != "" || opts.Password != ""):
		return errors.New("give either a bearer token or basic auth, not both")
	}
	return nil
}

// metricName is Prometheus's classic metric name syntax.
var metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// Query returns the PromQL Check evaluates for opts: opts.Query when set,
// else the canary's 5xx ratio over Istio's request counter:
//
//	(sum(rate(M{S,response_code=~"5.."}[W])) or vector(0)) / sum(rate(M{S}[W]))
//
// where S selects reporter="destination" (the server-side sidecar's view,
// so each request is counted once) and the canary's namespace, app and
// version. The "or vector(0)" matters: a healthy canary has no 5xx series
// at all, and without it the ratio would be an empty vector, which the gate
// treats as missing data. A canary without traffic still yields no data
// (no series) or NaN (0/0), both failures.
func Query(opts Options) (string, error) {
	if opts.Query != "" {
		return opts.Query, nil
	}
	metric := opts.Metric
	if !metricName.MatchString(metric) {
		return "", fmt.Errorf("metric %q is not a valid Prometheus metric name", metric)
	}
	w, err := promDuration(opts.Window)
	if err != nil {
		return "", err
	}
	selector := fmt.Sprintf(`reporter="destination",destination_workload_namespace=%s,destination_app=%s,destination_version=%s`,
		quote(opts.Namespace), quote(opts.Service), quote(opts.Version))
	return fmt.Sprintf(`(sum(rate(%s{%s,response_code=~"5.."}[%s])) or vector(0)) / sum(rate(%s{%s}[%s]))`,
		metric, selector, w, metric, selector, w), nil
}

// quote writes a PromQL string literal. PromQL strings use Go's escaping
// rules (the parser unquotes them with strconv.Unquote), so strconv.Quote
// escapes quotes, backslashes and control characters correctly.
func quote(s string) string {
	return strconv.Quote(s)
}

// promDuration formats d in PromQL's duration syntax.
func promDuration(d time.Duration) (string, error) {
	switch {
	case d <= 0:
		return "", fmt.Errorf("window %s must be positive", d)
	case d%time.Millisecond != 0:
		return "", fmt.Errorf("window %s must be a whole number of milliseconds", d)
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour), nil
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute), nil
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second), nil
	}
	return fmt.Sprintf("%dms", d/time.Millisecond), nil
}

// queryEndpoint resolves /api/v1/query under base, keeping any path prefix.
func queryEndpoint(base string) (*url.URL, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Don't echo a URL that failed to parse: it may hold a password.
		return nil, errors.New("Prometheus URL must be an absolute http(s) URL")
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/api/v1/query"
	u.RawPath = ""
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// queryWithRetries sends the instant query, retrying 5xx answers and
// connection failures a bounded number of times. 4xx answers (a bad query)
// are not retried.
func queryWithRetries(ctx context.Context, opts Options, endpoint *url.URL, query string) ([]byte, error) {
	attempts := opts.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	delay := opts.RetryDelay
	if delay <= 0 {
		delay = DefaultRetryDelay
	}
	sleep := opts.Sleep
	if sleep == nil {
		sleep = sleepContext
	}
	var lastErr error
	for attempt := 1; attempt <= attempts; attempt++ {
		if attempt > 1 {
			if err := sleep(ctx, delay); err != nil {
				return nil, fmt.Errorf("%w: gave up waiting to retry after %v", ErrUnavailable, lastErr)
			}
			delay *= 2
		}
		body, retry, err := queryOnce(ctx, opts, endpoint, query)
		if err == nil {
			return body, nil
		}
		lastErr = err
		if !retry || ctx.Err() != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w (after %d attempts)", lastErr, attempts)
}

// queryOnce sends one GET /api/v1/query. It reports whether a failure is
// worth retrying.
func queryOnce(ctx context.Context, opts Options, endpoint *url.URL, query string) (body []byte, retry bool, err error) {
	u := *endpoint
	params := url.Values{"query": {query}}
	if !opts.Time.IsZero() {
		params.Set("time", strconv.FormatFloat(float64(opts.Time.UnixMilli())/1000, 'f', 3, 64))
	}
	u.RawQuery = params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, false, fmt.Errorf("%w: build request", ErrQuery)
	}
	req.Header.Set("Accept", "application/json")
	switch {
	case opts.BearerToken != "":
		req.Header.Set("Authorization", "Bearer "+opts.BearerToken)
	case opts.Username != "" || opts.Password != "":
		req.SetBasicAuth(opts.Username, opts.Password)
	}
	client := opts.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, false, fmt.Errorf("%w: %v", ErrUnavailable, describeContextError(ctxErr))
		}
		// Describe the failure without the *url.Error's URL, which could
		// carry user:password from PrometheusURL.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, true, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, defaultMaxResponse))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, false, fmt.Errorf("%w: %v", ErrUnavailable, describeContextError(ctxErr))
		}
		return nil, true, fmt.Errorf("%w: reading the response: %v", ErrUnavailable, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return body, false, nil
	}
	// Prometheus answers 400 (bad parameters), 422 (expression cannot be
	// executed) and 503 (timeout or abort) with its JSON error envelope;
	// other statuses come from proxies in front of it.
	detail := http.StatusText(resp.StatusCode)
	var env envelope
	if json.Unmarshal(body, &env) == nil && env.Status == "error" {
		detail = fmt.Sprintf("%s: %s", env.ErrorType, env.Error)
	}
	if resp.StatusCode >= 500 {
		return nil, true, fmt.Errorf("%w: HTTP %d (%s)", ErrUnavailable, resp.StatusCode, detail)
	}
	hint := ""
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		hint = "; check the Prometheus credentials"
	}
	return nil, false, fmt.Errorf("%w: HTTP %d (%s)%s", ErrQuery, resp.StatusCode, detail, hint)
}

func describeContextError(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out waiting for Prometheus"
	}
	return "canceled while waiting for Prometheus"
}

// envelope is Prometheus's JSON response envelope.
type envelope struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Warnings  []string        `json:"warnings"`
}

// sample is one element of an instant vector: {"metric": {...}, "value": [t, "v"]}.
type sample struct {
	Metric map[string]string  `json:"metric"`
	Value  [2]json.RawMessage `json:"value"`
}

// parseResponse extracts the single number of a successful instant query.
func parseResponse(body []byte) (float64, []string, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return 0, nil, fmt.Errorf("%w: response is not Prometheus JSON: %v", ErrQuery, err)
	}
	if env.Status != "success" {
		if env.Status == "error" {
			return 0, env.Warnings, fmt.Errorf("%w: %s: %s", ErrQuery, env.ErrorType, env.Error)
		}
		return 0, env.Warnings, fmt.Errorf("%w: response status %q is not \"success\"", ErrQuery, env.Status)
	}
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(env.Data, &data); err != nil {
		return 0, env.Warnings, fmt.Errorf("%w: malformed data: %v", ErrQuery, err)
	}
	if data.ResultType != "vector" {
		return 0, env.Warnings, fmt.Errorf("%w: result type is %q, want an instant vector", ErrQuery, data.ResultType)
	}
	var vector []sample
	if err := json.Unmarshal(data.Result, &vector); err != nil {
		return 0, env.Warnings, fmt.Errorf("%w: malformed vector: %v", ErrQuery, err)
	}
	switch len(vector) {
	case 0:
		return 0, env.Warnings, fmt.Errorf("%w: the query returned an empty vector; no requests to the canary were recorded in the window (is it deployed, receiving traffic, and are the labels right?)", ErrNoData)
	case 1:
	default:
		return 0, env.Warnings, fmt.Errorf("%w: the query returned %d series; the gate needs exactly one number", ErrQuery, len(vector))
	}
	var text string
	if err := json.Unmarshal(vector[0].Value[1], &text); err != nil {
		return 0, env.Warnings, fmt.Errorf("%w: sample value is not a string: %v", ErrQuery, err)
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return 0, env.Warnings, fmt.Errorf("%w: sample value %q is not a number", ErrQuery, text)
	}
	switch {
	case math.IsNaN(v):
		return 0, env.Warnings, fmt.Errorf("%w: the error rate is NaN (0/0): the canary served no requests in the window, so it cannot be judged", ErrNoTraffic)
	case math.IsInf(v, 0) || v < 0 || v > 1:
		return 0, env.Warnings, fmt.Errorf("%w: the error rate %s is not a fraction", ErrQuery, text)
	}
	return v, env.Warnings, nil
}

// sleepContext waits for d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
