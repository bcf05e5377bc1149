package testgen

// group is a directory under services/ and the business area its domains
// belong to; messaging-like groups whose calls have side effects stay out
// of staging's traffic mirror.
type group struct {
	name        string
	domains     []string
	sideEffects bool
}

// groups are the business areas of the generated platform, each owned by
// a few teams (one per domain). The edge group is separate: its services
// are generated last and are the only public ones.
var groups = []group{
	{name: "commerce", domains: []string{"orders", "carts", "pricing", "promotions", "subscriptions"}},
	{name: "payments", domains: []string{"payments", "billing", "invoices", "refunds", "payouts"}, sideEffects: true},
	{name: "identity", domains: []string{"users", "accounts", "sessions", "profiles", "permissions"}},
	{name: "catalog", domains: []string{"catalog", "inventory", "search", "reviews", "media"}},
	{name: "logistics", domains: []string{"shipping", "fulfillment", "warehouse", "returns", "tracking"}},
	{name: "messaging", domains: []string{"notifications", "email", "sms", "push", "chat"}, sideEffects: true},
	{name: "analytics", domains: []string{"analytics", "reporting", "recommendations", "experiments", "events"}},
	{name: "platform", domains: []string{"scheduler", "audit", "files", "geo", "flags"}},
	{name: "support", domains: []string{"support", "tickets", "loyalty", "feedback"}},
}

// edgeGroup is the directory of the public services.
const edgeGroup = "edge"

// edgeDomains and edgeNouns name the public services: storefront-bff,
// partner-api and so on.
var (
	edgeDomains = []string{"storefront", "mobile", "partner", "admin", "merchant", "web", "developer", "seller", "kiosk", "affiliate"}
	edgeNouns   = []string{"bff", "gateway", "api", "portal"}
)

// noun is the second half of a service name and what the service does,
// for the comment above it.
type noun struct {
	word string
	does string // "%s" is the domain
}

var nouns = []noun{
	{"api", "serves the %s API to other services"},
	{"store", "owns the %s data"},
	{"ledger", "keeps the append-only %s ledger"},
	{"index", "maintains the %s search index"},
	{"worker", "runs %s background jobs"},
	{"sync", "synchronises %s with external systems"},
	{"cache", "serves hot %s reads from Redis"},
	{"registry", "registers %s entities and their lifecycle"},
	{"resolver", "resolves %s references for callers"},
	{"planner", "plans %s work ahead of time"},
	{"engine", "evaluates %s rules"},
	{"aggregator", "aggregates %s data from several services"},
	{"exporter", "exports %s data to the warehouse"},
	{"importer", "imports %s data from partners"},
	{"reader", "serves read-only %s views"},
	{"writer", "accepts %s writes"},
	{"projector", "projects %s events into read models"},
	{"notifier", "notifies subscribers of %s changes"},
	{"dispatcher", "dispatches %s tasks to workers"},
	{"router", "routes %s requests by region"},
	{"validator", "validates %s input"},
	{"calculator", "calculates %s totals"},
	{"matcher", "matches %s records"},
	{"tracker", "tracks %s state changes"},
	{"history", "keeps the %s history"},
	{"rules", "holds the %s business rules"},
	{"quotes", "computes %s quotes"},
	{"profiles", "keeps %s profiles"},
	{"preferences", "stores %s preferences"},
	{"settings", "stores %s settings"},
	{"limits", "enforces %s limits"},
	{"snapshots", "takes %s snapshots"},
	{"events", "publishes %s domain events"},
	{"webhooks", "delivers %s webhooks"},
	{"reports", "builds %s reports"},
	{"archive", "archives old %s records"},
	{"queue", "buffers %s work"},
	{"batch", "runs nightly %s batches"},
	{"stream", "streams %s changes"},
	{"feed", "builds the %s feed"},
	{"graph", "keeps the %s relationship graph"},
	{"lookup", "answers %s lookups"},
	{"directory", "lists %s entries"},
	{"renderer", "renders %s documents"},
	{"templates", "manages %s templates"},
	{"scoring", "scores %s candidates"},
	{"ranking", "ranks %s results"},
	{"audit", "records the %s audit trail"},
	{"export", "produces %s exports on request"},
	{"reconciler", "reconciles %s with the ledger"},
	{"allocator", "allocates %s capacity"},
	{"scheduler", "schedules %s jobs"},
	{"gateway", "fronts %s providers"},
	{"adapter", "adapts %s to a legacy system"},
	{"checker", "checks %s consistency"},
	{"metrics", "computes %s business metrics"},
	{"sessions", "keeps %s sessions"},
	{"catalog", "lists the %s catalog"},
	{"locks", "hands out %s locks"},
	{"admin", "serves the %s back office"},
}

// reviewers of the staging and prod environments.
var (
	stagingReviewers = []string{"carol", "dave"}
	prodReviewers    = []string{"alice", "bob", "acme/sre"}
)

// featureFlags are config keys of boolean feature switches.
var featureFlags = []string{
	"asyncWrites", "shadowReads", "newPricing", "strictValidation", "batchExports",
	"regionalRouting", "softDeletes", "readReplicas", "compression", "prefetch",
}

// regions are cloud regions, for config lists.
var regions = []string{"eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1"}
