package github

import (
	"strings"
	"testing"
)

func TestApprovalEnvironmentNames(t *testing.T) {
	if got := strings.Join(ApprovalEnvironmentNames("prod", 3), ","); got != "prod,prod-approval-2,prod-approval-3" {
		t.Errorf("got %s", got)
	}
	if got := strings.Join(ApprovalEnvironmentNames("dev", 0), ","); got != "dev" {
		t.Errorf("got %s", got)
	}
}
