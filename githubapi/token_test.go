package githubapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestErrorsNeverCarryTheToken: the token travels in the Authorization
// header only, and an API error (refused, forbidden, failing) names the
// request and GitHub's message, never the token. (A server that echoed the
// token in its message would reach the error; the CLI scrubs GITHUB_TOKEN
// from every output as defence in depth.)
func TestErrorsNeverCarryTheToken(t *testing.T) {
	const token = "ghp_SuperSecretToken1234567890"
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusInternalServerError} {
		var sawAuth string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sawAuth = r.Header.Get("Authorization")
			if strings.Contains(r.URL.String(), token) {
				t.Errorf("the token is in the URL: %s", r.URL)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"message":"refused","errors":[{"message":"header was %d bytes"}]}`, len(r.Header.Get("Authorization")))
		}))
		client, err := NewClient(token, srv.URL+"/api/v3/")
		if err != nil {
			t.Fatal(err)
		}
		_, err = UpsertComment(context.Background(), client, "acme/shop", 7, testMarker, "body", CommentOptions{})
		srv.Close()
		if err == nil {
			t.Fatalf("HTTP %d: no error", status)
		}
		if sawAuth != "Bearer "+token {
			t.Errorf("Authorization = %q", sawAuth)
		}
		if strings.Contains(err.Error(), token) || strings.Contains(fmt.Sprintf("%+v", err), token) {
			t.Errorf("HTTP %d: the error carries the token: %v", status, err)
		}
	}
}
