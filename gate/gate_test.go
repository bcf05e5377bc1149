package gate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakePrometheus answers /api/v1/query with scripted responses, one per
// request (the last one repeats), and records what it was asked.
type fakePrometheus struct {
	mu        sync.Mutex
	responses []fakeResponse
	queries   []string
	auth      []string
	paths     []string
}

type fakeResponse struct {
	status int
	body   string
	delay  time.Duration
}

func vector(value string) fakeResponse {
	return fakeResponse{200, fmt.Sprintf(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1718000000.123,%q]}]}}`, value), 0}
}

func (f *fakePrometheus) start(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.queries = append(f.queries, r.URL.Query().Get("query"))
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.paths = append(f.paths, r.URL.Path)
		resp := f.responses[min(len(f.queries)-1, len(f.responses)-1)]
		f.mu.Unlock()
		if resp.delay > 0 {
			select {
			case <-time.After(resp.delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.status)
		fmt.Fprint(w, resp.body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// requests returns how many queries the fake has received.
func (f *fakePrometheus) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.queries)
}

func baseOptions(url string) Options {
	return Options{
		PrometheusURL: url,
		Namespace:     "shop-prod",
		Service:       "orders",
		Version:       "v1.4.2",
		Metric:        "istio_requests_total",
		Window:        5 * time.Minute,
		MaxErrorRate:  0.005,
		Sleep:         func(context.Context, time.Duration) error { return nil },
	}
}

func TestCheckPassesUnderThreshold(t *testing.T) {
	f := &fakePrometheus{responses: []fakeResponse{vector("0.001")}}
	opts := baseOptions(f.start(t) + "/prom/")
	opts.BearerToken = "prom-secret-token"
	res, err := Check(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed || res.ErrorRate != 0.001 || res.MaxErrorRate != 0.005 {
		t.Fatalf("result %+v", res)
	}
	want := `(sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="shop-prod",destination_app="orders",destination_version="v1.4.2",response_code=~"5.."}[5m])) or vector(0)) / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="shop-prod",destination_app="orders",destination_version="v1.4.2"}[5m]))`
	if res.Query != want || f.queries[0] != want {
		t.Errorf("query\n got  %s\n sent %s\n want %s", res.Query, f.queries[0], want)
	}
	if f.paths[0] != "/prom/api/v1/query" {
		t.Errorf("path %q", f.paths[0])
	}
	if f.auth[0] != "Bearer prom-secret-token" {
		t.Errorf("auth %q", f.auth[0])
	}
	if strings.Contains(fmt.Sprintf("%+v %s", res, res), "prom-secret-token") {
		t.Error("result leaks the token")
	}
}

func TestCheckFailsOverThreshold(t *testing.T) {
	f := &fakePrometheus{responses: []fakeResponse{vector("0.0125")}}
	res, err := Check(context.Background(), baseOptions(f.start(t)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed || res.ErrorRate != 0.0125 {
		t.Fatalf("result %+v, want a failure", res)
	}
	if s := res.String(); !strings.HasPrefix(s, "FAIL: error rate 1.25%") {
		t.Errorf("String() = %q", s)
	}
}

func TestCheckFailsClosed(t *testing.T) {
	tests := []struct {
		name      string
		responses []fakeResponse
		want      error
		mention   string
		requests  int
	}{
		{"empty vector", []fakeResponse{{200, `{"status":"success","data":{"resultType":"vector","result":[]}}`, 0}}, ErrNoData, "empty vector", 1},
		{"NaN without traffic", []fakeResponse{vector("NaN")}, ErrNoTraffic, "no requests", 1},
		{"infinite", []fakeResponse{vector("+Inf")}, ErrQuery, "not a fraction", 1},
		{"status error in a 200", []fakeResponse{{200, `{"status":"error","errorType":"execution","error":"boom"}`, 0}}, ErrQuery, "execution: boom", 1},
		{"bad query is not retried", []fakeResponse{{400, `{"status":"error","errorType":"bad_data","error":"1:5: parse error"}`, 0}}, ErrQuery, "bad_data: 1:5: parse error", 1},
		{"unprocessable", []fakeResponse{{422, `{"status":"error","errorType":"execution","error":"many-to-many matching"}`, 0}}, ErrQuery, "HTTP 422", 1},
		{"5xx retried then given up", []fakeResponse{{503, `{"status":"error","errorType":"timeout","error":"query timed out"}`, 0}}, ErrUnavailable, "after 3 attempts", 3},
		{"proxy 502 without JSON", []fakeResponse{{502, `<html>bad gateway</html>`, 0}}, ErrUnavailable, "HTTP 502 (Bad Gateway)", 3},
		{"bad JSON", []fakeResponse{{200, `{"status":"success","data":`, 0}}, ErrQuery, "not Prometheus JSON", 1},
		{"matrix instead of vector", []fakeResponse{{200, `{"status":"success","data":{"resultType":"matrix","result":[]}}`, 0}}, ErrQuery, `"matrix"`, 1},
		{"several series", []fakeResponse{{200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1,"0"]},{"metric":{"a":"2"},"value":[1,"0"]}]}}`, 0}}, ErrQuery, "2 series", 1},
		{"unauthorized", []fakeResponse{{401, `Unauthorized`, 0}}, ErrQuery, "credentials", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakePrometheus{responses: tt.responses}
			opts := baseOptions(f.start(t))
			opts.Username, opts.Password = "gate", "basic-secret"
			res, err := Check(context.Background(), opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if res.Passed {
				t.Error("a failed measurement passed")
			}
			if !strings.Contains(err.Error(), tt.mention) || !strings.Contains(err.Error(), "shop-prod/orders") {
				t.Errorf("error %q lacks %q or the canary's name", err, tt.mention)
			}
			if strings.Contains(err.Error(), "basic-secret") {
				t.Errorf("error leaks the password: %s", err)
			}
			if n := f.requests(); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if !strings.HasPrefix(f.auth[0], "Basic ") {
				t.Errorf("auth %q", f.auth[0])
			}
		})
	}
}

func TestCheckRetriesServerErrorsWithBackoff(t *testing.T) {
	f := &fakePrometheus{responses: []fakeResponse{{500, `oops`, 0}, {503, `{"status":"error","errorType":"unavailable","error":"x"}`, 0}, vector("0")}}
	opts := baseOptions(f.start(t))
	opts.RetryDelay = 10 * time.Millisecond
	var slept []time.Duration
	opts.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	res, err := Check(context.Background(), opts)
	if err != nil || !res.Passed || res.ErrorRate != 0 {
		t.Fatalf("res %+v err %v", res, err)
	}
	if fmt.Sprint(slept) != "[10ms 20ms]" {
		t.Errorf("slept %v", slept)
	}
}

func TestCheckTimesOut(t *testing.T) {
	f := &fakePrometheus{responses: []fakeResponse{{200, `{}`, 5 * time.Second}}}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Check(ctx, baseOptions(f.start(t)))
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Error("the timeout did not stop the request")
	}
	if n := f.requests(); n != 1 {
		t.Errorf("retried after the deadline: %d requests", n)
	}
}

func TestCheckUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	opts := baseOptions(strings.Replace(url, "http://", "http://user:url-secret@", 1))
	_, err := Check(context.Background(), opts)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "url-secret") {
		t.Errorf("error leaks the URL password: %s", err)
	}
}

func TestQueryEscapesLabelValuesAndHonoursOverrides(t *testing.T) {
	opts := Options{Namespace: `we"ird`, Service: `a\b`, Version: "v1\n", Metric: "mesh_requests_total", Window: 90 * time.Second}
	q, err := Query(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`destination_workload_namespace="we\"ird"`, `destination_app="a\\b"`, `destination_version="v1\n"`, `mesh_requests_total{`, `[90s]`} {
		if !strings.Contains(q, s) {
			t.Errorf("query %s lacks %s", q, s)
		}
	}
	if _, err := Query(Options{Metric: `x{a="1"}`}); err == nil {
		t.Error("a metric name with a selector was accepted")
	}
	custom := Options{Query: `my:error_ratio{app="orders"}`}
	if q, _ := Query(custom); q != custom.Query {
		t.Errorf("custom query replaced: %s", q)
	}
}

func TestCheckRejectsBadOptions(t *testing.T) {
	for name, opts := range map[string]Options{
		"no threshold": {PrometheusURL: "http://p", Namespace: "n", Service: "s", Version: "v"},
		"percent":      {PrometheusURL: "http://p", Namespace: "n", Service: "s", Version: "v", MaxErrorRate: 5},
		"no canary":    {PrometheusURL: "http://p", MaxErrorRate: 0.01},
		"no URL":       {Namespace: "n", Service: "s", Version: "v", MaxErrorRate: 0.01},
		"bad URL":      {PrometheusURL: "prometheus:9090", Namespace: "n", Service: "s", Version: "v", MaxErrorRate: 0.01},
		"no window":    {PrometheusURL: "http://p", Namespace: "n", Service: "s", Version: "v", MaxErrorRate: 0.01, Metric: "m"},
		"no metric":    {PrometheusURL: "http://p", Namespace: "n", Service: "s", Version: "v", MaxErrorRate: 0.01, Window: time.Minute},
	} {
		if _, err := Check(context.Background(), opts); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
