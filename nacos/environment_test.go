package nacos

import (
	"context"
	"strings"
	"testing"

	"github.com/govctl/govctl/internal/nacosfake"
	"github.com/govctl/govctl/internal/testutil"
)

func TestApplyEnvironmentPublishesTheRenderedEntriesOfThatEnvironment(t *testing.T) {
	m := loadShop(t)
	fake := nacosfake.New(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, ClientOptions{})
	rep, err := ApplyEnvironment(context.Background(), c, m, "staging", ApplyOptions{})
	if err != nil {
		t.Fatalf("apply: %v (%+v)", err, rep.Results)
	}
	if len(rep.Results) == 0 || rep.Count(ActionCreated) != len(rep.Results) {
		t.Fatalf("want every staging entry created, got %+v", rep.Results)
	}
	for _, r := range rep.Results {
		if r.Key.Namespace != "shop-staging" {
			t.Errorf("%s: not a staging entry", r.Key)
		}
	}
}

func TestApplyEnvironmentOfAPlatformWithoutNacosIsAnErrorAndTouchesNothing(t *testing.T) {
	m := testutil.LoadSpec(t, map[string]string{"platform.cue": `package platform

platform: {name: "mini", registry: {kind: "kubernetes"}}
environments: dev: {tier: "dev", namespace: "mini-dev"}
services: api: {owner: "t", image: "ghcr.io/acme/api", version: "v1"}
`})
	fake := nacosfake.New(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, ClientOptions{})
	rep, err := ApplyEnvironment(context.Background(), c, m, "dev", ApplyOptions{})
	if err == nil || !strings.Contains(err.Error(), "not Nacos") {
		t.Fatalf("err = %v, want: the config centre is not Nacos", err)
	}
	if len(rep.Results) != 0 || publishCount(fake) != 0 {
		t.Fatalf("something was attempted: %+v, %d publishes", rep.Results, publishCount(fake))
	}
	if _, err := ApplyEnvironment(context.Background(), c, m, "qa", ApplyOptions{}); err == nil {
		t.Fatal("an unknown environment was accepted")
	}
}
