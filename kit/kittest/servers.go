// Package kittest helps test services on kit: it starts the real servers a
// kit bootstrap may name (redis-server, etcd) on loopback, on a free port,
// in a temporary directory, stopped when the test ends; its subpackages
// consulfake and nacosfake are in-process fakes of the Consul agent and
// Nacos Open APIs. A server that is not installed skips the test, and fails
// it when the environment has CI=true, so that CI never passes without
// running it.
package kittest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// need returns the path of binary, or ends the test: a failure under CI
// (the tests must run there), a skip otherwise.
func need(t testing.TB, binary, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(binary)
	if err == nil {
		return p
	}
	msg := fmt.Sprintf("%s is not installed (Debian package %s; .ci/run installs it)", binary, pkg)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + ": under CI=true this test must run")
	}
	t.Skip(msg + ": skipping")
	return ""
}

// FreePort returns a loopback TCP port nobody listens on right now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Process is a started server.
type Process struct {
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// Stop kills the server and waits for it to exit; it is safe to call twice.
func (p *Process) Stop() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
	<-p.done
}

func start(t testing.TB, dir, bin string, args ...string) *Process {
	t.Helper()
	logPath := filepath.Join(dir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	p := &Process{cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(p.Stop)
	return p
}

// waitTCP waits until addr accepts connections.
func waitTCP(t testing.TB, p *Process, addr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			out, _ := os.ReadFile(p.log)
			t.Fatalf("server exited before listening on %s:\n%s", addr, out)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, _ := os.ReadFile(p.log)
	t.Fatalf("server not listening on %s after 20s:\n%s", addr, out)
}

// Redis starts redis-server without persistence and returns its host:port.
func Redis(t testing.TB) string {
	t.Helper()
	bin := need(t, "redis-server", "redis-server")
	dir := t.TempDir()
	port := FreePort(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	p := start(t, dir, bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--protected-mode", "no")
	waitTCP(t, p, addr)
	return addr
}

// Etcd starts a single-member etcd and returns its client URL and the
// process (a test stops it to see what a registry does without it).
func Etcd(t testing.TB) (string, *Process) {
	t.Helper()
	bin := need(t, "etcd", "etcd-server")
	dir := t.TempDir()
	client, peer := FreePort(t), FreePort(t)
	clientURL := fmt.Sprintf("http://127.0.0.1:%d", client)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", peer)
	p := start(t, dir, bin,
		"--name", "kit-test",
		"--data-dir", filepath.Join(dir, "data"),
		"--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "kit-test="+peerURL,
		"--log-level", "error")
	waitTCP(t, p, fmt.Sprintf("127.0.0.1:%d", client))
	return clientURL, p
}

// Context is a context for test set-up calls.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
