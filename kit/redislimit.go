package kit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/govctl/govctl/render/kratos/conf"
)

// bucketScript takes one request's place in a bucket shared by every
// instance, atomically (a script runs alone on the server) and on the Redis
// server's clock (TIME), so that instances whose clocks disagree still share
// one rate. It is the same arithmetic as the local buckets:
//
//   - token_bucket: a hash {tokens, ts} refilled at rps up to burst; a
//     request takes one token or is refused.
//   - leaky_bucket: a key holding the time (µs) the queue is empty again; a
//     request waits until the ones ahead drained at rps, refused when more
//     than burst are ahead.
//
// KEYS[1] bucket; ARGV algorithm, rps, burst. Returns {allowed (0|1),
// remaining, reset µs, wait µs}, the fractional ones as strings (Redis
// truncates a Lua number to an integer reply; times are written with %.0f
// because Lua's tostring keeps 14 digits, and a time in µs has 16). Since Redis 5 scripts
// replicate their effects, which is what makes TIME allowed in a script
// that writes.
var bucketScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local rps = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
if ARGV[1] == 'token_bucket' then
  local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
  local tokens = tonumber(v[1])
  local ts = tonumber(v[2])
  if tokens == nil or ts == nil then
    tokens = burst
    ts = now
  end
  if now > ts then
    tokens = math.min(burst, tokens + (now - ts) * rps / 1000000)
  end
  local allowed = 0
  if tokens >= 1 then
    tokens = tokens - 1
    allowed = 1
  end
  local reset = math.ceil((burst - tokens) * 1000000 / rps)
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', string.format('%.0f', now))
  redis.call('PEXPIRE', KEYS[1], math.ceil(reset / 1000) + 1000)
  return {allowed, tostring(tokens), tostring(reset), '0'}
end
local interval = 1000000 / rps
local empty = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(empty, now)
local wait = start - now
if wait > burst * interval then
  return {0, '0', tostring(wait), '0'}
end
empty = start + interval
redis.call('SET', KEYS[1], string.format('%.0f', empty), 'PX', math.ceil((empty - now) / 1000) + 1000)
local remaining = math.max(burst - wait / interval, 0)
return {1, tostring(remaining), tostring(empty - now), tostring(wait)}
`)

// redisLimiter is the bucket of one service shared through Redis.
type redisLimiter struct {
	client    redis.UniversalClient
	key       string
	algorithm string
	rps       string
	burst     string
}

func newRedisLimiter(bc *conf.Bootstrap, o *options) (*redisLimiter, error) {
	rl := bc.RateLimit
	client := o.redis
	if client == nil {
		if rl.Redis == "" {
			return nil, fmt.Errorf("rate_limit.backend is redis but rate_limit.redis names no server (and no kit.WithRedis client was given)")
		}
		// A rate limit sits on every request's path: a Redis that is slow
		// or away costs each request at most redisTakeTimeout, not go-redis'
		// retries with back-off (seconds).
		client = redis.NewClient(&redis.Options{
			Addr:         rl.Redis,
			DialTimeout:  redisTakeTimeout,
			ReadTimeout:  redisTakeTimeout,
			WriteTimeout: redisTakeTimeout,
			MaxRetries:   -1,
		})
	}
	return &redisLimiter{
		client: client,
		// One bucket per service and namespace: every instance of the
		// service shares it, another environment sharing the Redis does not.
		key:       "kit:ratelimit:" + orUnknown(bc.Service.Namespace) + ":" + bc.Service.Name,
		algorithm: rl.Algorithm,
		rps:       strconv.Itoa(rl.RPS),
		burst:     strconv.Itoa(burstOf(*rl)),
	}, nil
}

// redisTakeTimeout bounds one bucket call.
const redisTakeTimeout = 100 * time.Millisecond

func (l *redisLimiter) Take(ctx context.Context) (Decision, error) {
	ctx, cancel := context.WithTimeout(ctx, redisTakeTimeout)
	defer cancel()
	res, err := bucketScript.Run(ctx, l.client, []string{l.key}, l.algorithm, l.rps, l.burst).Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("redis bucket %s: %w", l.key, err)
	}
	if len(res) != 4 {
		return Decision{}, fmt.Errorf("redis bucket %s: script returned %d values, want 4", l.key, len(res))
	}
	allowed, _ := res[0].(int64)
	remaining, err1 := strconv.ParseFloat(fmt.Sprint(res[1]), 64)
	reset, err2 := strconv.ParseFloat(fmt.Sprint(res[2]), 64)
	wait, err3 := strconv.ParseFloat(fmt.Sprint(res[3]), 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return Decision{}, fmt.Errorf("redis bucket %s: script returned %v", l.key, res)
	}
	return Decision{
		Allowed:   allowed == 1,
		Remaining: remaining,
		Reset:     time.Duration(reset) * time.Microsecond,
		Wait:      time.Duration(wait) * time.Microsecond,
	}, nil
}
