package nacos

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govctl/govctl/internal/nacosfake"
	rnacos "github.com/govctl/govctl/render/nacos"
)

// shopEntries are four entries of one namespace, in key order.
func shopEntries(t *testing.T) []Entry {
	t.Helper()
	return []Entry{
		mustEntry(t, "shop-dev", "DEFAULT_GROUP", "cart.yaml", rnacos.TypeYAML, "cart:\n  ttl: 30m\n"),
		mustEntry(t, "shop-dev", "DEFAULT_GROUP", "orders.yaml", rnacos.TypeYAML, "db:\n  maxOpen: 50\n"),
		mustEntry(t, "shop-dev", "DEFAULT_GROUP", "payments.properties", rnacos.TypeProperties, "timeout=800ms\n"),
		mustEntry(t, "shop-dev", "DEFAULT_GROUP", "users.json", rnacos.TypeJSON, "{\"cache\":true}\n"),
	}
}

func actions(rep Report) map[string]Action {
	m := map[string]Action{}
	for _, r := range rep.Results {
		m[r.Key.DataID] = r.Action
	}
	return m
}

func publishCount(fake *nacosfake.Server) int {
	return fake.Count(http.MethodPost, "/v2/cs/config") + fake.Count(http.MethodPost, "/v1/cs/configs")
}

func TestApplyRoundTripReadsBackTheSameMD5(t *testing.T) {
	fake := newAuthFake(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, withAuth(ClientOptions{}))
	ctx := context.Background()
	entries := shopEntries(t)

	rep, err := Apply(ctx, c, entries, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := rep.Count(ActionCreated); n != len(entries) {
		t.Fatalf("%d created, want %d: %+v", n, len(entries), rep)
	}
	for _, e := range entries {
		live, found, err := c.Get(ctx, e.Key())
		if err != nil || !found {
			t.Fatalf("%s: found=%v err=%v", e.Key(), found, err)
		}
		if live.MD5 != e.MD5 || live.Content != e.Content || live.Type != e.Type {
			t.Errorf("%s: read back md5 %s type %s, want %s %s", e.Key(), live.MD5, live.Type, e.MD5, e.Type)
		}
		if md5, ok := ParseManagedDesc(live.Desc); !ok || md5 != e.MD5 {
			t.Errorf("%s: desc %q does not record the applied md5", e.Key(), live.Desc)
		}
	}
}

func TestSecondApplyIsAllUnchangedAndWritesNothing(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, ClientOptions{})
	ctx := context.Background()
	if _, err := Apply(ctx, c, shopEntries(t), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	before := publishCount(fake)
	rep, err := Apply(ctx, c, shopEntries(t), ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := rep.Count(ActionUnchanged); n != 4 {
		t.Fatalf("%d unchanged, want 4: %+v", n, rep.Results)
	}
	if publishCount(fake) != before || len(rep.Written()) != 0 {
		t.Fatalf("second apply wrote %d configs", publishCount(fake)-before)
	}
}

func TestUpdateOfAManagedEntryIsCompareAndSwap(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, ClientOptions{})
	ctx := context.Background()
	entries := shopEntries(t)
	if _, err := Apply(ctx, c, entries, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	old := entries[1]
	entries[1] = mustEntry(t, "shop-dev", "DEFAULT_GROUP", "orders.yaml", rnacos.TypeYAML, "db:\n  maxOpen: 80\n")
	rep, err := Apply(ctx, c, entries, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a := actions(rep)["orders.yaml"]; a != ActionUpdated {
		t.Fatalf("orders.yaml: %s", a)
	}
	var casSent []string
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPost && r.Params.Get("dataId") == "orders.yaml" {
			casSent = append(casSent, r.CasMD5)
		}
	}
	// The create expected absence, the update the md5 govctl had written.
	if len(casSent) != 2 || casSent[0] != ExpectAbsent || casSent[1] != old.MD5 {
		t.Fatalf("casMd5 sent %q, want [%s %s]", casSent, ExpectAbsent, old.MD5)
	}
}

func TestConsoleEditIsAConflictAndIsNotOverwritten(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, ClientOptions{})
	ctx := context.Background()
	entries := shopEntries(t)
	if _, err := Apply(ctx, c, entries, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	const edited = "db:\n  maxOpen: 500 # hotfix from the console\n"
	fake.ConsoleEdit("shop-dev", "DEFAULT_GROUP", "orders.yaml", edited)

	// The spec moves on too: the desired content differs from both.
	entries[1] = mustEntry(t, "shop-dev", "DEFAULT_GROUP", "orders.yaml", rnacos.TypeYAML, "db:\n  maxOpen: 80\n")
	entries[2] = mustEntry(t, "shop-dev", "DEFAULT_GROUP", "payments.properties", rnacos.TypeProperties, "timeout=900ms\n")
	rep, err := Apply(ctx, c, entries, ApplyOptions{})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	var aerr *ApplyError
	if !errors.As(err, &aerr) || aerr.Conflicts != 1 || aerr.Failed != 0 {
		t.Fatalf("err = %#v", err)
	}
	got := actions(rep)
	if got["orders.yaml"] != ActionConflict || got["payments.properties"] != ActionUpdated || got["cart.yaml"] != ActionUnchanged {
		t.Fatalf("actions %v", got)
	}
	for _, r := range rep.Results {
		if r.Key.DataID == "orders.yaml" && !strings.Contains(r.Reason, "edited outside govctl") {
			t.Fatalf("reason %q", r.Reason)
		}
	}
	if live, _ := fake.Get("shop-dev", "DEFAULT_GROUP", "orders.yaml"); live.Content != edited {
		t.Fatalf("the console edit was overwritten: %q", live.Content)
	}

	// Bringing the console's change into the spec resolves the conflict.
	entries[1] = mustEntry(t, "shop-dev", "DEFAULT_GROUP", "orders.yaml", rnacos.TypeYAML, edited)
	rep, err = Apply(ctx, c, entries, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a := actions(rep)["orders.yaml"]; a != ActionUpdated {
		t.Fatalf("orders.yaml: %s, want its marker refreshed", a)
	}
	if rep, _ = Apply(ctx, c, entries, ApplyOptions{}); rep.Count(ActionUnchanged) != 4 {
		t.Fatalf("not converged: %+v", rep.Results)
	}
}

func TestAnEntryNotCreatedByGovctlIsAConflictUnlessAdopted(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	fake.Put("shop-dev", "DEFAULT_GROUP", "orders.yaml", "yaml", "db:\n  maxOpen: 10\n", "created by hand")
	c, _ := newTestClient(t, fake, ClientOptions{})
	ctx := context.Background()
	entries := shopEntries(t)

	rep, err := Apply(ctx, c, entries, ApplyOptions{})
	if !errors.Is(err, ErrConflict) || actions(rep)["orders.yaml"] != ActionConflict {
		t.Fatalf("err = %v, actions %v", err, actions(rep))
	}
	if live, _ := fake.Get("shop-dev", "DEFAULT_GROUP", "orders.yaml"); live.Content != "db:\n  maxOpen: 10\n" {
		t.Fatal("overwritten without adopt")
	}

	rep, err = Apply(ctx, c, entries, ApplyOptions{Adopt: true})
	if err != nil {
		t.Fatal(err)
	}
	if a := actions(rep)["orders.yaml"]; a != ActionUpdated {
		t.Fatalf("orders.yaml: %s", a)
	}
	if live, _ := fake.Get("shop-dev", "DEFAULT_GROUP", "orders.yaml"); live.Desc != ManagedDesc(entries[1].MD5) {
		t.Fatalf("desc %q", live.Desc)
	}
}

func TestAnEditBetweenReadAndWriteFailsTheCASAndIsAConflict(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, ClientOptions{})
	ctx := context.Background()
	entries := shopEntries(t)
	if _, err := Apply(ctx, c, entries, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	const racing = "db:\n  maxOpen: 7\n"
	var raced atomic.Bool
	fake.OnPublish(func(k nacosfake.Key) {
		if k.DataID == "orders.yaml" && raced.CompareAndSwap(false, true) {
			fake.ConsoleEdit(k.Namespace, k.Group, k.DataID, racing)
		}
	})
	entries[1] = mustEntry(t, "shop-dev", "DEFAULT_GROUP", "orders.yaml", rnacos.TypeYAML, "db:\n  maxOpen: 80\n")
	rep, err := Apply(ctx, c, entries, ApplyOptions{})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v", err)
	}
	var res Result
	for _, r := range rep.Results {
		if r.Key.DataID == "orders.yaml" {
			res = r
		}
	}
	if res.Action != ActionConflict || !strings.Contains(res.Reason, "between govctl's read and write") {
		t.Fatalf("result %+v", res)
	}
	if res.LiveMD5 != ContentMD5(racing) {
		t.Fatalf("live md5 %s, want the racing edit's", res.LiveMD5)
	}
	if live, _ := fake.Get("shop-dev", "DEFAULT_GROUP", "orders.yaml"); live.Content != racing {
		t.Fatalf("the racing edit was overwritten: %q", live.Content)
	}
}

func TestACreateRacingAnotherCreateIsAConflict(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, ClientOptions{})
	fake.OnPublish(func(k nacosfake.Key) {
		if k.DataID == "cart.yaml" {
			if _, ok := fake.Get(k.Namespace, k.Group, k.DataID); !ok {
				fake.Put(k.Namespace, k.Group, k.DataID, "yaml", "someone: else\n", "")
			}
		}
	})
	rep, err := Apply(context.Background(), c, shopEntries(t), ApplyOptions{})
	if !errors.Is(err, ErrConflict) || actions(rep)["cart.yaml"] != ActionConflict {
		t.Fatalf("err = %v, actions %v", err, actions(rep))
	}
	if live, _ := fake.Get("shop-dev", "DEFAULT_GROUP", "cart.yaml"); live.Content != "someone: else\n" {
		t.Fatalf("overwritten: %q", live.Content)
	}
}

func TestServerErrorMidApplyReportsWhatWasAppliedAndARerunConverges(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, sl := newTestClient(t, fake, ClientOptions{})
	ctx := context.Background()
	entries := shopEntries(t)
	// Every publish of payments.properties fails: more than the client's
	// retries can absorb.
	fake.FailMatching(http.StatusInternalServerError, -1, func(r nacosfake.Request) bool {
		return r.Method == http.MethodPost && r.Params.Get("dataId") == "payments.properties"
	})

	rep, err := Apply(ctx, c, entries, ApplyOptions{Concurrency: 1})
	var aerr *ApplyError
	if !errors.As(err, &aerr) || aerr.Failed != 1 || aerr.Skipped != 1 || aerr.Conflicts != 0 {
		t.Fatalf("err = %v", err)
	}
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusInternalServerError {
		t.Fatalf("the failure's cause is lost: %v", err)
	}
	want := map[string]Action{
		"cart.yaml": ActionCreated, "orders.yaml": ActionCreated,
		"payments.properties": ActionFailed, "users.json": ActionSkipped,
	}
	if got := actions(rep); !equalActions(got, want) {
		t.Fatalf("actions %v, want %v", got, want)
	}
	written := rep.Written()
	if len(written) != 2 || written[0].DataID != "cart.yaml" || written[1].DataID != "orders.yaml" {
		t.Fatalf("written %v", written)
	}
	// The report is the truth: exactly the written entries are on the server.
	var onServer []string
	for _, cfg := range fake.Configs() {
		onServer = append(onServer, cfg.DataID)
	}
	if strings.Join(onServer, ",") != "cart.yaml,orders.yaml" {
		t.Fatalf("server holds %v", onServer)
	}
	if n := fake.Count(http.MethodPost, "/v2/cs/config"); n != 2+4 {
		t.Fatalf("%d publishes: want 2 successes and 1+3 attempts of the failing one", n)
	}
	if len(sl.all()) != 3 {
		t.Fatalf("%d retries, want 3", len(sl.all()))
	}

	fake.ClearFailures()
	rep, err = Apply(ctx, c, entries, ApplyOptions{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]Action{
		"cart.yaml": ActionUnchanged, "orders.yaml": ActionUnchanged,
		"payments.properties": ActionCreated, "users.json": ActionCreated,
	}
	if got := actions(rep); !equalActions(got, want) {
		t.Fatalf("re-run actions %v, want %v", got, want)
	}
}

func equalActions(a, b map[string]Action) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestASingle500IsAbsorbedByRetries(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, sl := newTestClient(t, fake, ClientOptions{})
	fake.FailNth(3, http.StatusInternalServerError)
	rep, err := Apply(context.Background(), c, shopEntries(t), ApplyOptions{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count(ActionCreated) != 4 || len(sl.all()) != 1 {
		t.Fatalf("created %d with %d retries", rep.Count(ActionCreated), len(sl.all()))
	}
}

// lostAnswerStore publishes, then acts as if the answer was lost and the
// client retried: the retry's CAS fails because the first write landed.
type lostAnswerStore struct {
	ConfigStore
}

func (s lostAnswerStore) Publish(ctx context.Context, e Entry, casMD5, desc string) error {
	if err := s.ConfigStore.Publish(ctx, e, casMD5, desc); err != nil {
		return err
	}
	return s.ConfigStore.Publish(ctx, e, casMD5, desc)
}

func TestARetriedPublishThatHadLandedIsNotAConflict(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, ClientOptions{})
	ctx := context.Background()
	entries := shopEntries(t)
	rep, err := Apply(ctx, lostAnswerStore{c}, entries, ApplyOptions{})
	if err != nil || rep.Count(ActionCreated) != 4 {
		t.Fatalf("err = %v, report %+v", err, rep.Results)
	}
	entries[0] = mustEntry(t, "shop-dev", "DEFAULT_GROUP", "cart.yaml", rnacos.TypeYAML, "cart:\n  ttl: 1h\n")
	rep, err = Apply(ctx, lostAnswerStore{c}, entries, ApplyOptions{})
	if err != nil || actions(rep)["cart.yaml"] != ActionUpdated {
		t.Fatalf("err = %v, report %+v", err, rep.Results)
	}
}

func TestDryRunWritesNothingAndReportsWhatApplyWould(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, ClientOptions{})
	ctx := context.Background()
	entries := shopEntries(t)
	if _, err := Apply(ctx, c, entries[:2], ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	fake.Put("shop-dev", "DEFAULT_GROUP", "users.json", "json", "{}\n", "") // not govctl's
	entries[1] = mustEntry(t, "shop-dev", "DEFAULT_GROUP", "orders.yaml", rnacos.TypeYAML, "db:\n  maxOpen: 80\n")
	before := fake.Configs()
	writes := publishCount(fake)

	dry, err := Apply(ctx, c, entries, ApplyOptions{DryRun: true})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v: a dry run reports the conflict an apply would hit", err)
	}
	want := map[string]Action{
		"cart.yaml": ActionUnchanged, "orders.yaml": ActionUpdated,
		"payments.properties": ActionCreated, "users.json": ActionConflict,
	}
	if got := actions(dry); !equalActions(got, want) {
		t.Fatalf("dry run %v, want %v", got, want)
	}
	if !dry.DryRun || len(dry.Written()) != 0 {
		t.Fatalf("dry run claims writes: %v", dry.Written())
	}
	if publishCount(fake) != writes || fake.Count(http.MethodDelete, "/v2/cs/config") != 0 {
		t.Fatal("the dry run wrote")
	}
	after := fake.Configs()
	if len(after) != len(before) {
		t.Fatalf("configs changed: %d → %d", len(before), len(after))
	}
	for i := range before {
		if before[i] != after[i] {
			t.Fatalf("config changed: %+v → %+v", before[i], after[i])
		}
	}

	real, _ := Apply(ctx, c, entries, ApplyOptions{})
	if got := actions(real); !equalActions(got, want) {
		t.Fatalf("apply %v differs from its dry run %v", got, want)
	}
}

func TestApplyRejectsBadInputBeforeTouchingTheServer(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, ClientOptions{})
	entries := shopEntries(t)
	dup := append(entries, entries[0])
	if _, err := Apply(context.Background(), c, dup, ApplyOptions{}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("err = %v", err)
	}
	stale := shopEntries(t)
	stale[2].Content = "changed after rnacos.NewEntry\n"
	if _, err := Apply(context.Background(), c, stale, ApplyOptions{}); err == nil || !strings.Contains(err.Error(), "md5") {
		t.Fatalf("err = %v", err)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// countingStore tracks how many Gets run at once.
type countingStore struct {
	ConfigStore
	mu        sync.Mutex
	inFlight  int
	maxFlight int
}

func (s *countingStore) Get(ctx context.Context, key Key) (Config, bool, error) {
	s.mu.Lock()
	s.inFlight++
	s.maxFlight = max(s.maxFlight, s.inFlight)
	s.mu.Unlock()
	time.Sleep(5 * time.Millisecond)
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	return s.ConfigStore.Get(ctx, key)
}

func TestApplyConcurrencyIsBoundedAndTheReportOrderIsStable(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, ClientOptions{})
	var entries []Entry
	for _, id := range []string{"k", "c", "x", "a", "m", "b", "z", "d", "q", "e", "f", "g"} {
		entries = append(entries, mustEntry(t, "shop-dev", "DEFAULT_GROUP", id+".yaml", rnacos.TypeYAML, id+": 1\n"))
	}
	store := &countingStore{ConfigStore: c}
	rep, err := Apply(context.Background(), store, entries, ApplyOptions{Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	if store.maxFlight > 3 || store.maxFlight < 2 {
		t.Fatalf("max %d Gets at once, want 2..3", store.maxFlight)
	}
	for i := 1; i < len(rep.Results); i++ {
		if !rep.Results[i-1].Key.Less(rep.Results[i].Key) {
			t.Fatalf("report not sorted: %s before %s", rep.Results[i-1].Key, rep.Results[i].Key)
		}
	}
}

func TestParseManagedDesc(t *testing.T) {
	md5 := ContentMD5("x")
	tests := map[string]bool{
		ManagedDesc(md5):                         true,
		"managed-by=govctl md5=" + md5 + " note": true,
		"md5=" + md5:                             false,
		"managed-by=govctl":                      false,
		"managed-by=govctl md5=NOT-A-MD5":        false,
		"managed-by=someone-else md5=" + md5:     false,
		"":                                       false,
	}
	for desc, want := range tests {
		got, ok := ParseManagedDesc(desc)
		if ok != want || (ok && got != md5) {
			t.Errorf("ParseManagedDesc(%q) = %q, %v", desc, got, ok)
		}
	}
	if len(ManagedDesc(md5)) > 128 {
		t.Fatal("the marker exceeds the server's 128-character desc limit")
	}
}
