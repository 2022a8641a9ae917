package wire

import (
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

func rec(fields map[string]any) map[string]any {
	out := map[string]any{"seq": int64(1), "tsMs": int64(1_700_000_000_000), "lat": 60.17, "lon": 24.94}
	for k, v := range fields {
		out[k] = v
	}
	return out
}

// The values a script may get wrong are refused with an ArgError that names the field; none of
// them panics.
func TestRecordFromJSRefusesBadValues(t *testing.T) {
	cases := []struct {
		name    string
		value   any
		want    string
		isRange bool
	}{
		{"not an object", "hello", "must be an object, got a string", false},
		{"null", nil, "must be an object, got null", false},
		{"unknown field", rec(map[string]any{"latitude": 1.0}), "unknown field(s) latitude", false},
		{"missing seq", map[string]any{"tsMs": int64(1)}, "r.seq is required", false},
		{"seq zero", rec(map[string]any{"seq": int64(0)}), "r.seq must be from 1", true},
		{"seq fraction", rec(map[string]any{"seq": 1.5}), "r.seq must be a whole number", true},
		{"seq above 2^53", rec(map[string]any{"seq": 1e300}), "r.seq must be from 1", true},
		{"seq as string", rec(map[string]any{"seq": "1"}), "r.seq must be a number, got a string", false},
		{"missing tsMs", map[string]any{"seq": int64(1)}, "r.tsMs is required", false},
		{"negative tsMs", rec(map[string]any{"tsMs": int64(-1)}), "r.tsMs must be from 0", true},
		{"NaN lat", rec(map[string]any{"lat": math.NaN()}), "r.lat must be a finite number", true},
		{"Infinity lon", rec(map[string]any{"lon": math.Inf(1)}), "r.lon must be a finite number", true},
		{"lat out of range", rec(map[string]any{"lat": 90.5}), "r.lat must be from -90 to 90", true},
		{"lon out of range", rec(map[string]any{"lon": -181.0}), "r.lon must be from -180 to 180", true},
		{"lat as boolean", rec(map[string]any{"lat": true}), "r.lat must be a number, got a boolean", false},
		{"heading over 360", rec(map[string]any{"headingDeg": 361.0}), "r.headingDeg must be from 0 to 360", true},
		{"negative speed", rec(map[string]any{"speedKmh": -1.0}), "r.speedKmh must be from 0 to 1000", true},
		{"satellites fraction", rec(map[string]any{"satellites": 3.5}), "r.satellites must be a whole number", true},
		{"ignition as number", rec(map[string]any{"ignition": int64(1)}), "r.ignition must be a boolean, got a number", false},
		{"dtc not an array", rec(map[string]any{"dtcCodes": "P0301"}), "r.dtcCodes must be an array of strings", false},
		{"dtc with a number", rec(map[string]any{"dtcCodes": []any{"P0301", int64(7)}}), "r.dtcCodes[1] must be a string", false},
		{"dtc empty code", rec(map[string]any{"dtcCodes": []any{""}}), "r.dtcCodes[0] must be 1 to 16 bytes", true},
		{"card id too long", rec(map[string]any{"driverCardId": strings.Repeat("x", 300)}), "r.driverCardId must be 0 to 256 bytes", true},
		{"card id invalid UTF-8", rec(map[string]any{"driverCardId": "\xff"}), "must be valid UTF-8", false},
		{"fuel over 100%", rec(map[string]any{"fuelLevelPct": 100.5}), "r.fuelLevelPct must be from 0 to 100", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := RecordFromJS(c.value, "r")
			if err == nil {
				t.Fatalf("accepted %#v", c.value)
			}
			if !IsArgError(err) {
				t.Fatalf("not an ArgError: %v", err)
			}
			if IsRangeError(err) != c.isRange {
				t.Fatalf("range error = %v, want %v: %v", IsRangeError(err), c.isRange, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not say %q", err, c.want)
			}
		})
	}
}

func TestBatchFromJSLimits(t *testing.T) {
	if _, err := BatchFromJS([]any{}, "records", 50); err == nil || !IsRangeError(err) {
		t.Fatalf("an empty batch: %v", err)
	}
	big := make([]any, 51)
	for i := range big {
		big[i] = rec(map[string]any{"seq": int64(i + 1)})
	}
	if _, err := BatchFromJS(big, "records", 50); err == nil || !strings.Contains(err.Error(), "holds 51 records, more than the limit of 50") {
		t.Fatalf("an oversized batch: %v", err)
	}
	if _, err := BatchFromJS(map[string]any{}, "records", 50); err == nil || !strings.Contains(err.Error(), "must be an array of records, got an object") {
		t.Fatalf("an object: %v", err)
	}
	big[7] = rec(map[string]any{"lat": math.NaN()})
	if _, err := BatchFromJS(big[:10], "records", 50); err == nil || !strings.Contains(err.Error(), "records[7].lat") {
		t.Fatalf("the bad record is named: %v", err)
	}
}

// Garbage in every field, at random: an ArgError or a record, never a panic.
func TestRecordFromJSNeverPanics(t *testing.T) {
	garbage := []any{nil, true, false, int64(0), int64(-1), int64(math.MaxInt64), math.NaN(), math.Inf(-1),
		-0.0, 1e308, 0.5, "", "x", strings.Repeat("é", 200), []any{}, []any{nil}, map[string]any{}, []byte{1}}
	fields := make([]string, 0, len(recordFields))
	for k := range recordFields {
		fields = append(fields, k)
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20_000; i++ {
		m := map[string]any{}
		for j := rng.Intn(6); j >= 0; j-- {
			m[fields[rng.Intn(len(fields))]] = garbage[rng.Intn(len(garbage))]
		}
		r, err := RecordFromJS(m, "r")
		if err != nil && !IsArgError(err) {
			t.Fatalf("%#v: an error that is not an ArgError: %v", m, err)
		}
		if err == nil {
			EncodeBatch([]Record{r})
		}
	}
}

// The encoding read back with protowire: field numbers and wire types as in telemetry.proto.
func TestEncodeBatchFields(t *testing.T) {
	r, err := RecordFromJS(rec(map[string]any{
		"speedKmh": 52.5, "headingDeg": 90.0, "satellites": int64(9), "ignition": false,
		"dtcCodes": []any{"P0301", "P0420"}, "driverCardId": "04:A2",
	}), "r")
	if err != nil {
		t.Fatal(err)
	}
	b := EncodeBatch([]Record{r, r})
	if n := CountRecords(b); n != 2 {
		t.Fatalf("CountRecords = %d", n)
	}
	num, typ, n := protowire.ConsumeTag(b)
	if num != 1 || typ != protowire.BytesType || n < 0 {
		t.Fatalf("batch field: %d %d", num, typ)
	}
	msg, _ := protowire.ConsumeBytes(b[n:])
	seen := map[protowire.Number]protowire.Type{}
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		seen[num] = typ
		m := protowire.ConsumeFieldValue(num, typ, msg[n:])
		msg = msg[n+m:]
	}
	want := map[protowire.Number]protowire.Type{
		1: protowire.VarintType, 2: protowire.VarintType, 3: protowire.Fixed64Type, 4: protowire.Fixed64Type,
		5: protowire.Fixed32Type, 6: protowire.Fixed32Type, 9: protowire.VarintType, 10: protowire.VarintType,
		20: protowire.BytesType, 25: protowire.BytesType,
	}
	for k, v := range want {
		if seen[k] != v {
			t.Errorf("field %d: wire type %d, want %d", k, seen[k], v)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("fields %v, want %v", seen, want)
	}
	if CountRecords([]byte{0xff}) != 0 {
		t.Error("garbage counted as records")
	}
}

// TestEncodeFixture is driven by bench/test/k6-extension.test.ts: it encodes the records of
// FLEET_WIRE_RECORDS (JSON, as a script would pass them) to FLEET_WIRE_OUT, which the test
// decodes with the project's protobufjs codec (@fleet/proto).
func TestEncodeFixture(t *testing.T) {
	in, out := os.Getenv("FLEET_WIRE_RECORDS"), os.Getenv("FLEET_WIRE_OUT")
	if in == "" || out == "" {
		t.Skip("run by bench/test/k6-extension.test.ts (FLEET_WIRE_RECORDS, FLEET_WIRE_OUT)")
	}
	text, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var records any
	if err := json.Unmarshal(text, &records); err != nil {
		t.Fatal(err)
	}
	batch, err := BatchFromJS(records, "records", MaxRecords)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, EncodeBatch(batch), 0o600); err != nil {
		t.Fatal(err)
	}
}
