package conf_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/govctl/govctl/render/kratos/conf"
)

// TestDurationIsWrittenAsProtobufDuration checks Duration against protojson
// itself: a kratos-layout style conf.proto reads config.yaml durations with
// protojson, which accepts only the seconds form.
func TestDurationIsWrittenAsProtobufDuration(t *testing.T) {
	for _, d := range []time.Duration{
		0, time.Nanosecond, 100 * time.Millisecond, 150 * time.Millisecond, time.Second,
		1500 * time.Microsecond, 90 * time.Second, -800 * time.Millisecond, 36*time.Hour + time.Nanosecond,
	} {
		got, err := json.Marshal(conf.Duration(d))
		if err != nil {
			t.Fatalf("%v: %v", d, err)
		}
		want, err := protojson.Marshal(durationpb.New(d))
		if err != nil {
			t.Fatalf("%v: %v", d, err)
		}
		if string(got) != string(want) {
			t.Errorf("%v: marshalled as %s, protojson writes %s", d, got, want)
		}
		var pb durationpb.Duration
		if err := protojson.Unmarshal(got, &pb); err != nil || pb.AsDuration() != d {
			t.Errorf("%v: protojson reads %s as %v (%v)", d, got, pb.AsDuration(), err)
		}
		var back conf.Duration
		if err := json.Unmarshal(got, &back); err != nil || back.Std() != d {
			t.Errorf("%v: reads back %s as %v (%v)", d, got, back.Std(), err)
		}
	}
}

func TestDurationReadsHandWrittenGoDurations(t *testing.T) {
	tests := map[string]time.Duration{
		`"800ms"`: 800 * time.Millisecond,
		`"0.2s"`:  200 * time.Millisecond,
		`"1m30s"`: 90 * time.Second,
		`"1s"`:    time.Second,
	}
	for in, want := range tests {
		var d conf.Duration
		if err := json.Unmarshal([]byte(in), &d); err != nil || d.Std() != want {
			t.Errorf("%s: got %v, %v; want %v", in, d.Std(), err, want)
		}
	}
}

func TestDurationRejectsNumbersAndNonsense(t *testing.T) {
	for _, in := range []string{`1000000000`, `"soon"`, `"10"`, `true`} {
		var d conf.Duration
		err := json.Unmarshal([]byte(in), &d)
		if err == nil {
			t.Errorf("%s: accepted as %v", in, d.Std())
			continue
		}
		if !strings.Contains(err.Error(), "duration") {
			t.Errorf("%s: error %q does not say what it expected", in, err)
		}
	}
}
