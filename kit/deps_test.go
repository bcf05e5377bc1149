package kit

import (
	"os"
	"strings"
	"testing"
)

// TestKitCompilesNeitherCUENorOPA: a service importing kit must not build
// govctl's CLI dependencies. go mod tidy lists every module kit's packages
// (and their tests) import, directly or not, so neither may appear in
// kit's go.mod.
func TestKitCompilesNeitherCUENorOPA(t *testing.T) {
	b, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, mod := range []string{"cuelang.org/go", "github.com/open-policy-agent/opa"} {
		if strings.Contains(string(b), mod+" ") {
			t.Errorf("kit's go.mod requires %s: something kit imports pulls in govctl's CLI dependencies", mod)
		}
	}
}
