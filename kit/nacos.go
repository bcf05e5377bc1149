package kit

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// nacosClient is the little of the Nacos Open API kit needs: instance
// registration and heartbeat (naming, v1: /nacos/v1/ns/instance[/beat])
// and config get and long polling (/nacos/v1/cs/configs[/listener]).
// Paths and parameters follow the server's controllers (alibaba/nacos 2.x,
// InstanceController and ConfigController), which still serve the v1 API
// that the HTTP SDKs use.
type nacosClient struct {
	base string // http://host:port/nacos
	http *http.Client
}

func newNacosClient(address string) (*nacosClient, error) {
	if address == "" {
		return nil, fmt.Errorf("nacos: address is empty")
	}
	base := address
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("nacos address %q: %w", address, err)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/nacos"
	}
	return &nacosClient{base: strings.TrimSuffix(u.String(), "/"), http: &http.Client{}}, nil
}

// do sends params as the query (GET, DELETE) or a form (POST, PUT) and
// returns the body of a 200.
func (c *nacosClient) do(ctx context.Context, method, path string, params url.Values, header http.Header) ([]byte, int, error) {
	target := c.base + path
	var body io.Reader
	if method == http.MethodGet || method == http.MethodDelete {
		target += "?" + params.Encode()
	} else {
		body = strings.NewReader(params.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("nacos %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("nacos %s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return b, resp.StatusCode, fmt.Errorf("nacos %s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, resp.StatusCode, nil
}

func millis(d time.Duration) string { return fmt.Sprint(d.Milliseconds()) }
