package kit

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-kratos/kratos/v2/log"

	"github.com/govctl/govctl/render/kratos/conf"
)

// Level is a rung of the degradation ladder.
type Level int32

// The rungs, in order. The service's own error rate over the ladder's
// window decides the rung: at or above warn_at WARN, degrade_at DEGRADED,
// fatal_at FATAL.
const (
	// Normal serves every request.
	Normal Level = iota
	// Warn still serves every request; the level is a gauge to alert on.
	Warn
	// Degraded answers requests from the fallback (WithFallback) within
	// fallback_timeout, and skips calls to optional dependencies.
	Degraded
	// Fatal answers from the fallback too, and sheds the request with
	// ErrFatal when there is none.
	Fatal
)

// String returns the level's name as the spec writes it.
func (l Level) String() string {
	switch l {
	case Normal:
		return "NORMAL"
	case Warn:
		return "WARN"
	case Degraded:
		return "DEGRADED"
	case Fatal:
		return "FATAL"
	}
	return fmt.Sprintf("Level(%d)", int32(l))
}

// defaultLadderWindow is the window when the bootstrap names none: the
// schema's default breaker interval.
const defaultLadderWindow = 60 * time.Second

// ladderBuckets is how many slices the window is counted in: the rate is
// over the last window, give or take a tenth of it.
const ladderBuckets = 10

// Ladder is the degradation ladder of one service: it counts the outcomes of
// the service's own requests over a rolling window and gives the level they
// put the service at. It is safe for concurrent use.
type Ladder struct {
	cfg         *conf.Degradation
	window      time.Duration
	minRequests int
	now         func() time.Time
	logger      *log.Helper
	set         func(Level)

	mu      sync.Mutex
	buckets [ladderBuckets]ladderBucket
	level   atomic.Int32
}

type ladderBucket struct {
	epoch         int64
	total, failed int
}

// NewLadder returns the ladder of bc.Degradation: window degradation.interval
// (60s when unset), no level above NORMAL before degradation.min_requests
// requests in it. Without a degradation section the ladder stays NORMAL.
func NewLadder(bc *conf.Bootstrap, opts ...Option) *Ladder {
	o := buildOptions(opts)
	return newLadder(bc, o, newMetrics(o.registerer))
}

func newLadder(bc *conf.Bootstrap, o *options, m *metrics) *Ladder {
	l := &Ladder{cfg: bc.Degradation, window: defaultLadderWindow, now: o.now, logger: log.NewHelper(o.logger)}
	if d := bc.Degradation; d != nil {
		if d.Interval > 0 {
			l.window = d.Interval.Std()
		}
		l.minRequests = d.MinRequests
	}
	g := m.level.WithLabelValues(bc.Service.Name, orUnknown(bc.Service.Namespace))
	g.Set(0)
	l.set = func(v Level) { g.Set(float64(v)) }
	return l
}

// Level is the service's level now.
func (l *Ladder) Level() Level {
	if l == nil || l.cfg == nil {
		return Normal
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.evaluate(l.now())
}

// Observe counts the outcome of one request the service served itself
// (not one its fallback answered): a failure as IsFailure says.
func (l *Ladder) Observe(err error) {
	if l == nil || l.cfg == nil {
		return
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(now)
	b.total++
	if IsFailure(err) {
		b.failed++
	}
	l.evaluate(now)
}

func (l *Ladder) bucket(now time.Time) *ladderBucket {
	epoch := now.UnixNano() / int64(l.window/ladderBuckets)
	b := &l.buckets[epoch%ladderBuckets]
	if b.epoch != epoch {
		*b = ladderBucket{epoch: epoch}
	}
	return b
}

// evaluate computes the level from the buckets still in the window, and
// logs and publishes a change. l.mu is held.
func (l *Ladder) evaluate(now time.Time) Level {
	epoch := now.UnixNano() / int64(l.window/ladderBuckets)
	var total, failed int
	for _, b := range l.buckets {
		if b.epoch > epoch-ladderBuckets && b.epoch <= epoch {
			total += b.total
			failed += b.failed
		}
	}
	lvl := Normal
	if total > 0 && total >= l.minRequests {
		rate := float64(failed) / float64(total)
		switch {
		case l.cfg.FatalAt != nil && rate >= *l.cfg.FatalAt:
			lvl = Fatal
		case rate >= l.cfg.DegradeAt:
			lvl = Degraded
		case rate >= l.cfg.WarnAt:
			lvl = Warn
		}
	}
	if old := Level(l.level.Swap(int32(lvl))); old != lvl {
		l.set(lvl)
		l.logger.Warnf("degradation level %s -> %s: %d of %d requests failed in the last %s", old, lvl, failed, total, l.window)
	}
	return lvl
}

type ladderKey struct{}

// withLadder puts the service's ladder in ctx, so that handlers
// (LevelFromContext) and client chains (optional dependencies) see it.
func withLadder(ctx context.Context, l *Ladder) context.Context {
	return context.WithValue(ctx, ladderKey{}, l)
}

// LevelFromContext is the degradation level of the service serving the
// request ctx belongs to; NORMAL outside a request of a kit server chain.
func LevelFromContext(ctx context.Context) Level {
	l, _ := ctx.Value(ladderKey{}).(*Ladder)
	return l.Level()
}
