package kit

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/config"
	"github.com/go-kratos/kratos/v2/log"

	"github.com/govctl/govctl/kit/kittest/nacosfake"
	"github.com/govctl/govctl/render/kratos/conf"
)

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func configBootstrap(addr, dataID, format string) *conf.Bootstrap {
	bc := bootstrap()
	bc.ConfigCenter = &conf.ConfigCenter{Kind: "nacos", Address: addr, Namespace: "shop-prod", Group: "DEFAULT_GROUP",
		DataID: dataID, Format: format, LongPolling: conf.Duration(30 * time.Second)}
	return bc
}

// TestNacosConfigHotReloadKeepsTheLastGoodValue: an edit of the entry
// reaches a watcher of the running config through long polling; a broken
// edit is logged and the last good value stays; the next good edit arrives.
func TestNacosConfigHotReloadKeepsTheLastGoodValue(t *testing.T) {
	server := nacosfake.New(t)
	server.Publish("shop-prod", "DEFAULT_GROUP", "orders.yaml", "db:\n  maxOpen: 50\n")
	var logs syncBuffer
	c, err := LoadConfig(configBootstrap(server.Addr(), "orders.yaml", "yaml"), WithLogger(log.NewStdLogger(&logs)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n, err := c.Value("db.maxOpen").Int(); err != nil || n != 50 {
		t.Fatalf("db.maxOpen = %d, %v; want 50", n, err)
	}
	changes := make(chan int64, 4)
	if err := c.Watch("db.maxOpen", func(_ string, v config.Value) {
		n, _ := v.Int()
		changes <- n
	}); err != nil {
		t.Fatal(err)
	}
	want := func(n int64) {
		t.Helper()
		select {
		case got := <-changes:
			if got != n {
				t.Fatalf("watcher got %d, want %d", got, n)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no change to %d delivered within 5s", n)
		}
	}
	server.Publish("shop-prod", "DEFAULT_GROUP", "orders.yaml", "db:\n  maxOpen: 200\n")
	want(200)

	server.Publish("shop-prod", "DEFAULT_GROUP", "orders.yaml", "db: [maxOpen: 5\n")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "the new value is rejected and the last good value kept") {
		if time.Now().After(deadline) {
			t.Fatalf("a broken edit was not logged:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n, _ := c.Value("db.maxOpen").Int(); n != 200 {
		t.Fatalf("after a broken edit db.maxOpen = %d, want the last good 200", n)
	}
	select {
	case n := <-changes:
		t.Fatalf("a broken edit reached the watcher as %d", n)
	default:
	}
	server.Publish("shop-prod", "DEFAULT_GROUP", "orders.yaml", "db:\n  maxOpen: 300\n")
	want(300)
}

func TestNacosConfigPropertiesAndMissingEntry(t *testing.T) {
	server := nacosfake.New(t)
	server.Publish("shop-prod", "DEFAULT_GROUP", "payments.properties", "# stripe\nprovider.name=stripe\nprovider.endpoint = https://api.stripe.com\n")
	c, err := LoadConfig(configBootstrap(server.Addr(), "payments.properties", "properties"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if s, _ := c.Value("provider.endpoint").String(); s != "https://api.stripe.com" {
		t.Fatalf("provider.endpoint = %q", s)
	}
	_, err = LoadConfig(configBootstrap(server.Addr(), "users.yaml", "yaml"))
	if err == nil || !strings.Contains(err.Error(), "nacos config users.yaml (group DEFAULT_GROUP, namespace shop-prod) does not exist") {
		t.Fatalf("err = %v", err)
	}
}
