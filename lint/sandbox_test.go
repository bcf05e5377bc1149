package lint

import (
	"strings"
	"testing"
)

func TestSandboxRejectsBuiltinsAtLoad(t *testing.T) {
	tests := []struct {
		call, want string
	}{
		{`http.send({"method": "get", "url": "https://example.com"})`, "policies/leak.rego:5:7: http.send is not allowed in govctl policies: policies have no network access"},
		{`opa.runtime()`, "policies/leak.rego:5:7: opa.runtime is not allowed in govctl policies: it would expose the process environment (CI secrets)"},
		{`time.now_ns()`, "policies/leak.rego:5:7: time.now_ns is not allowed in govctl policies: read the time from input.now, so results are reproducible"},
		{`rand.intn("x", 10)`, "policies/leak.rego:5:7: rand.intn is not allowed in govctl policies: lint results must be reproducible"},
		{`uuid.rfc4122("x")`, "policies/leak.rego:5:7: uuid.rfc4122 is not allowed in govctl policies: lint results must be reproducible"},
		{`net.lookup_ip_addr("example.com")`, "policies/leak.rego:5:7: net.lookup_ip_addr is not allowed in govctl policies: policies have no network access"},
	}
	for _, tt := range tests {
		name := tt.call[:strings.Index(tt.call, "(")]
		t.Run(name, func(t *testing.T) {
			policy := "package shop.leak\n\nviolation contains {\"msg\": sprintf(\"%v\", [x])} if {\n\tinput.environment.name == \"prod\"\n\tx := " + tt.call + "\n}\n"
			got := lintError(t, map[string]string{"policies/leak.rego": policy})
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), tt.want)
			}
		})
	}
}

func TestSandboxAppliesToPolicyTests(t *testing.T) {
	dir := t.TempDir()
	if err := writeFile(dir+"/x_test.rego", "package x_test\n\ntest_clock if {\n\ttime.now_ns() > 0\n}\n"); err != nil {
		t.Fatal(err)
	}
	_, err := Test(t.Context(), dir, TestOptions{})
	if err == nil || !strings.Contains(err.Error(), "x_test.rego:4:2: time.now_ns is not allowed in govctl policies") {
		t.Errorf("err = %v", err)
	}
}

func TestCapabilitiesKeepPureBuiltins(t *testing.T) {
	names := map[string]bool{}
	for _, b := range Capabilities().Builtins {
		names[b.Name] = true
	}
	for _, n := range []string{"sprintf", "time.parse_duration_ns", "time.parse_rfc3339_ns", "regex.match", "json.patch", "object.get"} {
		if !names[n] {
			t.Errorf("%s was removed from the sandbox", n)
		}
	}
	for _, n := range []string{"http.send", "opa.runtime", "time.now_ns", "rand.intn", "uuid.rfc4122", "net.lookup_ip_addr", "net.cidr_contains"} {
		if names[n] {
			t.Errorf("%s is still available in the sandbox", n)
		}
	}
	if caps := Capabilities(); caps.AllowNet == nil || len(caps.AllowNet) != 0 {
		t.Errorf("AllowNet = %v, want empty (no remote schemas)", caps.AllowNet)
	}
}
