package conf

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Duration is a time.Duration written in JSON (and so in config.yaml) the way
// protojson writes a google.protobuf.Duration: seconds with 0, 3, 6 or 9
// fractional digits and an "s" suffix ("1s", "0.800s", "60s"). Kratos'
// Config.Scan decodes plain structs with encoding/json, which reads a
// time.Duration only as a number of nanoseconds; Duration reads a string
// instead, in any form time.ParseDuration accepts, so hand-written files
// ("800ms") load too. Only the seconds form also loads into a conf.proto
// Duration, which is why govctl writes that form.
type Duration time.Duration

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String returns d in the seconds form of google.protobuf.Duration.
func (d Duration) String() string {
	n := int64(d)
	sign := ""
	if n < 0 {
		sign = "-"
	}
	secs, nanos := n/int64(time.Second), n%int64(time.Second)
	if n < 0 {
		secs, nanos = -secs, -nanos
	}
	s := fmt.Sprintf("%s%d.%09d", sign, secs, nanos)
	s = strings.TrimSuffix(s, "000")
	s = strings.TrimSuffix(s, "000")
	s = strings.TrimSuffix(s, ".000")
	return s + "s"
}

// MarshalJSON writes d as a JSON string in the seconds form.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.String())
}

// UnmarshalJSON reads a JSON string such as "1s", "0.800s" or "800ms".
func (d *Duration) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"1s\" or \"0.8s\", got %s", data)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}
