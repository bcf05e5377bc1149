package kit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadReadsARenderedBootstrap(t *testing.T) {
	p := writeFile(t, `service: {name: orders, version: v1, env: prod, namespace: shop-prod}
server:
  http: {network: tcp, addr: "0.0.0.0:8000", timeout: 1s}
  grpc: {network: tcp, addr: "0.0.0.0:9000", timeout: 0.800s}
middleware: [recovery, logging]
clients:
  payments: {endpoint: "dns:///payments.shop-prod.svc.cluster.local:9000", timeout: 800ms}
`)
	bc, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if bc.Service.Name != "orders" || bc.Service.Namespace != "shop-prod" {
		t.Errorf("service = %+v", bc.Service)
	}
	if got := bc.Server.GRPC.Timeout.Std().String(); got != "800ms" {
		t.Errorf("grpc timeout = %s, want 800ms", got)
	}
	if got := bc.Clients["payments"].Timeout.Std().String(); got != "800ms" {
		t.Errorf("payments timeout = %s, want 800ms", got)
	}
}

func TestLoadRefusesAFileThatIsNoBootstrap(t *testing.T) {
	_, err := Load(writeFile(t, "foo: bar\n"))
	if err == nil || !strings.Contains(err.Error(), "service.name is empty") {
		t.Fatalf("err = %v, want service.name is empty", err)
	}
	_, err = Load(filepath.Join(t.TempDir(), "missing.yaml"))
	if err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("err = %v, want the missing path named", err)
	}
}

func writeFile(t *testing.T, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
