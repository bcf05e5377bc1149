package kit

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-kratos/kratos/v2/config"
	"github.com/go-kratos/kratos/v2/encoding"
	"github.com/go-kratos/kratos/v2/log"

	"github.com/govctl/govctl/render/kratos/conf"
)

// ConfigSource returns the service's own entry in the config centre
// (config_center: data id, group and namespace) as a Kratos config source:
// Load reads it, Watch long-polls the Nacos listener for
// config_center.long_polling at a time and delivers each change. A change
// that does not decode in the entry's format is logged and skipped, so the
// config keeps its last good value. A properties entry is delivered as the
// JSON of its keys split at dots ("db.maxOpen=5" is {"db": {"maxOpen":
// "5"}}), a text entry as the raw value under the data id.
func ConfigSource(bc *conf.Bootstrap, opts ...Option) (config.Source, error) {
	cc := bc.ConfigCenter
	if cc == nil {
		return nil, fmt.Errorf("config source: the config has no config_center")
	}
	if cc.Kind != "nacos" {
		return nil, fmt.Errorf("config_center.kind %q: kit reads nacos only", cc.Kind)
	}
	client, err := newNacosClient(cc.Address)
	if err != nil {
		return nil, fmt.Errorf("config_center: %w", err)
	}
	o := buildOptions(opts)
	group := cc.Group
	if group == "" {
		group = "DEFAULT_GROUP"
	}
	poll := cc.LongPolling.Std()
	if poll <= 0 {
		poll = 30 * time.Second
	}
	return &nacosSource{client: client, namespace: cc.Namespace, group: group, dataID: cc.DataID, format: cc.Format,
		longPolling: poll, logger: log.NewHelper(o.logger)}, nil
}

// LoadConfig returns a loaded Kratos config of ConfigSource, watching for
// changes until Close: c.Value(key).Load(), c.Watch(key, observer),
// c.Scan(&v).
func LoadConfig(bc *conf.Bootstrap, opts ...Option) (config.Config, error) {
	src, err := ConfigSource(bc, opts...)
	if err != nil {
		return nil, err
	}
	c := config.New(config.WithSource(src))
	if err := c.Load(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

type nacosSource struct {
	client                   *nacosClient
	namespace, group, dataID string
	format                   string
	longPolling              time.Duration
	logger                   *log.Helper

	mu        sync.Mutex
	loadedMD5 string // of the content Load returned: what Watch waits to change
}

func (s *nacosSource) name() string {
	return fmt.Sprintf("nacos config %s (group %s, namespace %s)", s.dataID, s.group, s.namespace)
}

func (s *nacosSource) fetch(ctx context.Context) (string, error) {
	v := url.Values{}
	v.Set("dataId", s.dataID)
	v.Set("group", s.group)
	if s.namespace != "" {
		v.Set("tenant", s.namespace)
	}
	body, status, err := s.client.do(ctx, http.MethodGet, "/v1/cs/configs", v, nil)
	if status == http.StatusNotFound {
		return "", fmt.Errorf("%s does not exist (publish it with govctl apply nacos)", s.name())
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", s.name(), err)
	}
	return string(body), nil
}

// keyValue is content as Kratos decodes it, checked with the codec Kratos
// will use, so that a value kit delivers is one Kratos can merge.
func (s *nacosSource) keyValue(content string) (*config.KeyValue, error) {
	kv := &config.KeyValue{Key: s.dataID, Value: []byte(content), Format: s.format}
	switch s.format {
	case "text":
		kv.Format = ""
		return kv, nil
	case "properties":
		b, err := propertiesJSON(content)
		if err != nil {
			return nil, err
		}
		kv.Value, kv.Format = b, "json"
	}
	codec := encoding.GetCodec(kv.Format)
	if codec == nil {
		return nil, fmt.Errorf("format %q: no Kratos codec", kv.Format)
	}
	var probe map[string]any
	if err := codec.Unmarshal(kv.Value, &probe); err != nil {
		return nil, fmt.Errorf("not valid %s: %w", s.format, err)
	}
	return kv, nil
}

func (s *nacosSource) Load() ([]*config.KeyValue, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	content, err := s.fetch(ctx)
	if err != nil {
		return nil, err
	}
	kv, err := s.keyValue(content)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name(), err)
	}
	s.mu.Lock()
	s.loadedMD5 = md5Hex(content)
	s.mu.Unlock()
	return []*config.KeyValue{kv}, nil
}

func (s *nacosSource) Watch() (config.Watcher, error) {
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	defer s.mu.Unlock()
	// Waiting for a change from what Load returned, not from what the
	// server holds now, loses no edit made in between.
	return &nacosWatcher{s: s, ctx: ctx, cancel: cancel, md5: s.loadedMD5}, nil
}

type nacosWatcher struct {
	s      *nacosSource
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	md5    string // of the last content seen, good or not
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Next long-polls until the entry changes to content that decodes, and
// returns it. A server that cannot be reached is asked again after a
// second; only Stop ends Next with an error (context.Canceled, which
// Kratos' watch loop ends on).
func (w *nacosWatcher) Next() ([]*config.KeyValue, error) {
	s := w.s
	for {
		if err := w.ctx.Err(); err != nil {
			return nil, err
		}
		changed, err := w.poll()
		if err != nil {
			if w.ctx.Err() != nil {
				return nil, w.ctx.Err()
			}
			s.logger.Warnf("%s: long polling: %v; asking again in 1s", s.name(), err)
			if !sleep(w.ctx, time.Second) {
				return nil, w.ctx.Err()
			}
			continue
		}
		if !changed {
			continue
		}
		content, err := s.fetch(w.ctx)
		if err != nil {
			s.logger.Errorf("%s changed but could not be read: %v; keeping the last good value", s.name(), err)
			continue
		}
		w.mu.Lock()
		w.md5 = md5Hex(content)
		w.mu.Unlock()
		kv, err := s.keyValue(content)
		if err != nil {
			s.logger.Errorf("%s: the new value is rejected and the last good value kept: %v", s.name(), err)
			continue
		}
		s.logger.Infof("%s changed (md5 %s)", s.name(), md5Hex(content))
		return []*config.KeyValue{kv}, nil
	}
}

// poll is one long-polling request: whether the entry changed from w.md5.
func (w *nacosWatcher) poll() (bool, error) {
	s := w.s
	w.mu.Lock()
	probe := s.dataID + "\x02" + s.group + "\x02" + w.md5
	w.mu.Unlock()
	if s.namespace != "" {
		probe += "\x02" + s.namespace
	}
	probe += "\x01"
	v := url.Values{}
	v.Set("Listening-Configs", probe)
	h := http.Header{}
	h.Set("Long-Pulling-Timeout", millis(s.longPolling))
	// The server holds the request up to the timeout; give the answer time
	// to arrive.
	ctx, cancel := context.WithTimeout(w.ctx, s.longPolling+10*time.Second)
	defer cancel()
	body, _, err := s.client.do(ctx, http.MethodPost, "/v1/cs/configs/listener", v, h)
	if err != nil {
		return false, err
	}
	changed, err := url.QueryUnescape(strings.TrimSpace(string(body)))
	if err != nil {
		return false, fmt.Errorf("listener answer %q: %w", body, err)
	}
	for _, line := range strings.Split(changed, "\x01") {
		if f := strings.Split(line, "\x02"); len(f) >= 2 && f[0] == s.dataID && f[1] == s.group {
			return true, nil
		}
	}
	return false, nil
}

func (w *nacosWatcher) Stop() error { w.cancel(); return nil }

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// propertiesJSON is a .properties entry as nested JSON: "key=value" or
// "key: value" lines, # and ! comments; keys split at dots.
func propertiesJSON(content string) ([]byte, error) {
	root := map[string]any{}
	for n, line := range strings.Split(content, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i <= 0 {
			return nil, fmt.Errorf("line %d: %q is not key=value", n+1, line)
		}
		key, value := strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:])
		parts := strings.Split(key, ".")
		m := root
		for _, p := range parts[:len(parts)-1] {
			sub, ok := m[p].(map[string]any)
			if !ok {
				if _, taken := m[p]; taken {
					return nil, fmt.Errorf("line %d: %s is both a value and a prefix", n+1, key)
				}
				sub = map[string]any{}
				m[p] = sub
			}
			m = sub
		}
		last := parts[len(parts)-1]
		if _, taken := m[last].(map[string]any); taken {
			return nil, fmt.Errorf("line %d: %s is both a value and a prefix", n+1, key)
		}
		m[last] = value
	}
	return json.Marshal(root)
}
