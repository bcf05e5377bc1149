package schema

import (
	"fmt"
	"strings"

	"golang.org/x/net/idna"
)

// hostProfile converts host names as browsers and resolvers do (UTS #46,
// non-transitional, with the IDNA 2008 checks): Unicode labels become their
// ASCII "xn--" form and letters are lowered.
var hostProfile = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.BidiRule(), idna.StrictDomainName(true), idna.VerifyDNSLength(true))

// ExposedHost returns an exposed host of a public service as DNS, Istio and
// Kubernetes need it: an internationalised name such as söcken.example.com
// in its ASCII form (xn--scken-jua.example.com), letters lowered, a leading
// "*." wildcard kept. This is the one place that decides how a host in the
// spec is named in rendered output; every renderer naming hosts calls it.
// The error says, in the user's words, why h cannot be a host name.
func ExposedHost(h string) (string, error) {
	wildcard := strings.HasPrefix(h, "*.")
	name := strings.TrimPrefix(h, "*.")
	if name == "" {
		return "", fmt.Errorf("exposed host %q is empty: write a DNS name such as shop.example.com (a leading \"*.\" wildcard is allowed)", h)
	}
	if strings.HasSuffix(name, ".") {
		return "", fmt.Errorf("exposed host %q ends with a dot: write it without the trailing dot, e.g. %q", h, strings.TrimSuffix(h, "."))
	}
	ascii, err := hostProfile.ToASCII(name)
	if err != nil || !dnsName(ascii) {
		return "", fmt.Errorf("exposed host %q is not a DNS name: write dot-separated labels of letters, digits and '-' (each at most 63 characters, not starting or ending with '-'), such as shop.example.com; a leading \"*.\" wildcard is allowed, and a non-ASCII name must be a valid internationalised domain name", h)
	}
	if wildcard {
		ascii = "*." + ascii
	}
	return ascii, nil
}

// dnsName reports whether h is an ASCII DNS name of at most 253 characters
// whose labels are 1 to 63 letters, digits and hyphens, with no hyphen at
// either end of a label.
func dnsName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
