// Package wire encodes fleet.v1.TelemetryBatch payloads (proto/fleet/v1/telemetry.proto) with
// protowire, and turns the values a k6 script passes (JavaScript objects exported to Go: maps,
// slices, float64 and int64 numbers, strings, booleans) into validated records. It imports
// neither k6 nor an MQTT client, so `go test ./wire` builds in seconds.
//
// The field numbers below are the schema's; DESIGN.md fixes 1-6 and the rest follow the .proto.
package wire

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of fleet.v1.Telemetry and fleet.v1.TelemetryBatch.
const (
	fieldBatchRecords = 1

	fieldSeq           = 1
	fieldTsMs          = 2
	fieldLat           = 3
	fieldLon           = 4
	fieldSpeedKmh      = 5
	fieldHeadingDeg    = 6
	fieldAltitudeM     = 7
	fieldHdop          = 8
	fieldSatellites    = 9
	fieldIgnition      = 10
	fieldOdometerKm    = 11
	fieldEngineHours   = 12
	fieldFuelLevelPct  = 13
	fieldFuelLevelL    = 14
	fieldBatteryV      = 15
	fieldExternalV     = 16
	fieldEngineRpm     = 17
	fieldCoolantTempC  = 18
	fieldEngineLoadPct = 19
	fieldDtcCodes      = 20
	fieldTemperatureC  = 21
	fieldDoorOpen      = 22
	fieldPtoActive     = 23
	fieldTamper        = 24
	fieldDriverCardID  = 25
)

// Limits on what a script may ask for. A batch above MaxRecords is refused before anything is
// encoded; the payload size limit is the client's (its maxPayloadBytes option).
const (
	MaxRecords     = 10_000
	maxDtcCodes    = 64
	maxStringBytes = 256
	// MaxSafeInteger is the largest integer a JavaScript number holds exactly (2^53 - 1).
	MaxSafeInteger = 1<<53 - 1
)

// Record is one fleet.v1.Telemetry. Optional fields are nil when absent, so "absent" is never
// confused with zero (proto3 `optional`).
type Record struct {
	Seq        uint64
	TsMs       int64
	Lat        float64
	Lon        float64
	SpeedKmh   float32
	HeadingDeg float32

	AltitudeM     *float32
	Hdop          *float32
	Satellites    *uint32
	Ignition      *bool
	OdometerKm    *float64
	EngineHours   *float64
	FuelLevelPct  *float32
	FuelLevelL    *float32
	BatteryV      *float32
	ExternalV     *float32
	EngineRpm     *uint32
	CoolantTempC  *float32
	EngineLoadPct *float32
	DtcCodes      []string
	TemperatureC  *float32
	DoorOpen      *bool
	PtoActive     *bool
	Tamper        *bool
	DriverCardID  *string
}

// AppendRecord appends one Telemetry message (without its length prefix) to b. Fields at their
// proto3 default (0, false) that are not optional are left out, as every proto3 encoder does.
func AppendRecord(b []byte, r *Record) []byte {
	if r.Seq != 0 {
		b = protowire.AppendTag(b, fieldSeq, protowire.VarintType)
		b = protowire.AppendVarint(b, r.Seq)
	}
	if r.TsMs != 0 {
		b = protowire.AppendTag(b, fieldTsMs, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(r.TsMs)) // int64: two's complement, 10 bytes if negative
	}
	b = appendDouble(b, fieldLat, r.Lat, false)
	b = appendDouble(b, fieldLon, r.Lon, false)
	b = appendFloat(b, fieldSpeedKmh, r.SpeedKmh, false)
	b = appendFloat(b, fieldHeadingDeg, r.HeadingDeg, false)
	b = appendOptFloat(b, fieldAltitudeM, r.AltitudeM)
	b = appendOptFloat(b, fieldHdop, r.Hdop)
	b = appendOptUint32(b, fieldSatellites, r.Satellites)
	b = appendOptBool(b, fieldIgnition, r.Ignition)
	if r.OdometerKm != nil {
		b = appendDouble(b, fieldOdometerKm, *r.OdometerKm, true)
	}
	if r.EngineHours != nil {
		b = appendDouble(b, fieldEngineHours, *r.EngineHours, true)
	}
	b = appendOptFloat(b, fieldFuelLevelPct, r.FuelLevelPct)
	b = appendOptFloat(b, fieldFuelLevelL, r.FuelLevelL)
	b = appendOptFloat(b, fieldBatteryV, r.BatteryV)
	b = appendOptFloat(b, fieldExternalV, r.ExternalV)
	b = appendOptUint32(b, fieldEngineRpm, r.EngineRpm)
	b = appendOptFloat(b, fieldCoolantTempC, r.CoolantTempC)
	b = appendOptFloat(b, fieldEngineLoadPct, r.EngineLoadPct)
	for _, code := range r.DtcCodes {
		b = protowire.AppendTag(b, fieldDtcCodes, protowire.BytesType)
		b = protowire.AppendString(b, code)
	}
	b = appendOptFloat(b, fieldTemperatureC, r.TemperatureC)
	b = appendOptBool(b, fieldDoorOpen, r.DoorOpen)
	b = appendOptBool(b, fieldPtoActive, r.PtoActive)
	b = appendOptBool(b, fieldTamper, r.Tamper)
	if r.DriverCardID != nil {
		b = protowire.AppendTag(b, fieldDriverCardID, protowire.BytesType)
		b = protowire.AppendString(b, *r.DriverCardID)
	}
	return b
}

// EncodeBatch encodes a fleet.v1.TelemetryBatch of the records.
func EncodeBatch(records []Record) []byte {
	out := make([]byte, 0, len(records)*64)
	var scratch []byte
	for i := range records {
		scratch = AppendRecord(scratch[:0], &records[i])
		out = protowire.AppendTag(out, fieldBatchRecords, protowire.BytesType)
		out = protowire.AppendBytes(out, scratch)
	}
	return out
}

func appendDouble(b []byte, num protowire.Number, v float64, always bool) []byte {
	if !always && v == 0 && !math.Signbit(v) {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, math.Float64bits(v))
}

func appendFloat(b []byte, num protowire.Number, v float32, always bool) []byte {
	if !always && v == 0 && !math.Signbit(float64(v)) {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, math.Float32bits(v))
}

func appendOptFloat(b []byte, num protowire.Number, v *float32) []byte {
	if v == nil {
		return b
	}
	return appendFloat(b, num, *v, true)
}

func appendOptUint32(b []byte, num protowire.Number, v *uint32) []byte {
	if v == nil {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(*v))
}

func appendOptBool(b []byte, num protowire.Number, v *bool) []byte {
	if v == nil {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, protowire.EncodeBool(*v))
}

// ---------------------------------------------------------------------------------------------
// Values from JavaScript

// ArgError is a script's mistake: a wrong type, a value out of range, an unknown field. Its
// message names the argument and what was expected; the k6 module throws it as a JS error.
// OutOfRange marks a value of the right type outside what is allowed (a JS RangeError); the
// others are a JS TypeError.
type ArgError struct {
	msg        string
	OutOfRange bool
}

func (e *ArgError) Error() string { return e.msg }

func argErr(format string, a ...any) error { return &ArgError{msg: fmt.Sprintf(format, a...)} }

func rangeErr(format string, a ...any) error {
	return &ArgError{msg: fmt.Sprintf(format, a...), OutOfRange: true}
}

// Errorf is an ArgError (a JS TypeError) with a formatted message.
func Errorf(format string, a ...any) error { return argErr(format, a...) }

// RangeErrorf is an out-of-range ArgError (a JS RangeError) with a formatted message.
func RangeErrorf(format string, a ...any) error { return rangeErr(format, a...) }

// IsRangeError reports whether err is an out-of-range ArgError.
func IsRangeError(err error) bool {
	var a *ArgError
	return errors.As(err, &a) && a.OutOfRange
}

// IsArgError reports whether err is (or wraps) an ArgError.
func IsArgError(err error) bool {
	var a *ArgError
	return errors.As(err, &a)
}

// TypeName is how an error message names what a script passed.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null or undefined"
	case bool:
		return "a boolean"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case []byte:
		return "bytes"
	default:
		return fmt.Sprintf("a %T", v)
	}
}

// Number is a finite JavaScript number from an exported value. Integers arrive as int64 and
// other numbers as float64 from sobek; encoding/json gives float64.
func Number(v any, name string) (float64, error) {
	var f float64
	switch n := v.(type) {
	case int64:
		f = float64(n)
	case int:
		f = float64(n)
	case int32:
		f = float64(n)
	case uint32:
		f = float64(n)
	case float64:
		f = n
	case float32:
		f = float64(n)
	default:
		return 0, argErr("%s must be a number, got %s", name, TypeName(v))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, rangeErr("%s must be a finite number, got %v", name, f)
	}
	return f, nil
}

// Integer is a whole number from min to max (both within ±2^53 - 1).
func Integer(v any, name string, min, max int64) (int64, error) {
	f, err := Number(v, name)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) {
		return 0, rangeErr("%s must be a whole number, got %v", name, f)
	}
	if f < float64(min) || f > float64(max) {
		return 0, rangeErr("%s must be from %d to %d, got %v", name, min, max, f)
	}
	return int64(f), nil
}

// Range is a finite number from min to max.
func Range(v any, name string, min, max float64) (float64, error) {
	f, err := Number(v, name)
	if err != nil {
		return 0, err
	}
	if f < min || f > max {
		return 0, rangeErr("%s must be from %v to %v, got %v", name, min, max, f)
	}
	return f, nil
}

// Bool is a JavaScript boolean.
func Bool(v any, name string) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, argErr("%s must be a boolean, got %s", name, TypeName(v))
	}
	return b, nil
}

// String is a JavaScript string of 1 to maxBytes bytes of valid UTF-8 (minBytes may be 0).
func String(v any, name string, minBytes, maxBytes int) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", argErr("%s must be a string, got %s", name, TypeName(v))
	}
	if len(s) < minBytes || len(s) > maxBytes {
		return "", rangeErr("%s must be %d to %d bytes long, got %d", name, minBytes, maxBytes, len(s))
	}
	if !utf8.ValidString(s) {
		return "", argErr("%s must be valid UTF-8 (no lone surrogates)", name)
	}
	return s, nil
}

// Object is a plain JavaScript object whose keys are all in known (a typo is an error, not a
// silently missing field).
func Object(v any, name string, known map[string]bool) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, argErr("%s must be an object, got %s", name, TypeName(v))
	}
	var unknown []string
	for k := range m {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		names := make([]string, 0, len(known))
		for k := range known {
			names = append(names, k)
		}
		sort.Strings(names)
		return nil, argErr("%s has unknown field(s) %s; known: %s", name, strings.Join(unknown, ", "), strings.Join(names, ", "))
	}
	return m, nil
}

// present is a field that was given: a JavaScript `undefined` or `null` counts as absent.
func present(m map[string]any, key string) (any, bool) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, false
	}
	return v, true
}

var recordFields = map[string]bool{
	"seq": true, "tsMs": true, "lat": true, "lon": true, "speedKmh": true, "headingDeg": true,
	"altitudeM": true, "hdop": true, "satellites": true, "ignition": true, "odometerKm": true,
	"engineHours": true, "fuelLevelPct": true, "fuelLevelL": true, "batteryV": true,
	"externalV": true, "engineRpm": true, "coolantTempC": true, "engineLoadPct": true,
	"dtcCodes": true, "temperatureC": true, "doorOpen": true, "ptoActive": true, "tamper": true,
	"driverCardId": true,
}

// The float32 fields: finite and within float32's range (a bigger value would become Inf).
const maxFloat32 = math.MaxFloat32

// RecordFromJS validates one record given as a JavaScript object with the field names of
// @fleet/proto's TelemetryMessage (seq, tsMs, lat, lon, speedKmh, headingDeg, altitudeM, ...).
// seq and tsMs are required; lat and lon must be real coordinates; everything else is optional.
func RecordFromJS(v any, name string) (Record, error) {
	var r Record
	m, err := Object(v, name, recordFields)
	if err != nil {
		return r, err
	}
	field := func(k string) string { return name + "." + k }

	seqV, ok := present(m, "seq")
	if !ok {
		return r, argErr("%s is required (a whole number from 1)", field("seq"))
	}
	seq, err := Integer(seqV, field("seq"), 1, MaxSafeInteger)
	if err != nil {
		return r, err
	}
	r.Seq = uint64(seq)
	tsV, ok := present(m, "tsMs")
	if !ok {
		return r, argErr("%s is required (ms since the Unix epoch)", field("tsMs"))
	}
	// Device time: from 1970 to the year 2286 (10^13 ms), as the ingest accepts plausible times.
	if r.TsMs, err = Integer(tsV, field("tsMs"), 0, 10_000_000_000_000); err != nil {
		return r, err
	}
	if x, ok := present(m, "lat"); ok {
		if r.Lat, err = Range(x, field("lat"), -90, 90); err != nil {
			return r, err
		}
	}
	if x, ok := present(m, "lon"); ok {
		if r.Lon, err = Range(x, field("lon"), -180, 180); err != nil {
			return r, err
		}
	}
	f32 := func(k string, min, max float64) (*float32, error) {
		x, ok := present(m, k)
		if !ok {
			return nil, nil
		}
		f, err := Range(x, field(k), min, max)
		if err != nil {
			return nil, err
		}
		v := float32(f)
		return &v, nil
	}
	f64 := func(k string, min, max float64) (*float64, error) {
		x, ok := present(m, k)
		if !ok {
			return nil, nil
		}
		f, err := Range(x, field(k), min, max)
		if err != nil {
			return nil, err
		}
		return &f, nil
	}
	u32 := func(k string, max int64) (*uint32, error) {
		x, ok := present(m, k)
		if !ok {
			return nil, nil
		}
		n, err := Integer(x, field(k), 0, max)
		if err != nil {
			return nil, err
		}
		v := uint32(n)
		return &v, nil
	}
	boolean := func(k string) (*bool, error) {
		x, ok := present(m, k)
		if !ok {
			return nil, nil
		}
		b, err := Bool(x, field(k))
		if err != nil {
			return nil, err
		}
		return &b, nil
	}
	var p *float32
	if p, err = f32("speedKmh", 0, 1000); err != nil {
		return r, err
	} else if p != nil {
		r.SpeedKmh = *p
	}
	if p, err = f32("headingDeg", 0, 360); err != nil {
		return r, err
	} else if p != nil {
		r.HeadingDeg = *p
	}
	steps := []func() error{
		func() (e error) { r.AltitudeM, e = f32("altitudeM", -1000, 100_000); return },
		func() (e error) { r.Hdop, e = f32("hdop", 0, 1000); return },
		func() (e error) { r.Satellites, e = u32("satellites", 255); return },
		func() (e error) { r.Ignition, e = boolean("ignition"); return },
		func() (e error) { r.OdometerKm, e = f64("odometerKm", 0, 1e9); return },
		func() (e error) { r.EngineHours, e = f64("engineHours", 0, 1e7); return },
		func() (e error) { r.FuelLevelPct, e = f32("fuelLevelPct", 0, 100); return },
		func() (e error) { r.FuelLevelL, e = f32("fuelLevelL", 0, 100_000); return },
		func() (e error) { r.BatteryV, e = f32("batteryV", 0, 100); return },
		func() (e error) { r.ExternalV, e = f32("externalV", 0, 1000); return },
		func() (e error) { r.EngineRpm, e = u32("engineRpm", 30_000); return },
		func() (e error) { r.CoolantTempC, e = f32("coolantTempC", -100, 300); return },
		func() (e error) { r.EngineLoadPct, e = f32("engineLoadPct", 0, 100); return },
		func() (e error) { r.TemperatureC, e = f32("temperatureC", -273.15, maxFloat32); return },
		func() (e error) { r.DoorOpen, e = boolean("doorOpen"); return },
		func() (e error) { r.PtoActive, e = boolean("ptoActive"); return },
		func() (e error) { r.Tamper, e = boolean("tamper"); return },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return r, err
		}
	}
	if x, ok := present(m, "dtcCodes"); ok {
		list, ok := x.([]any)
		if !ok {
			return r, argErr("%s must be an array of strings, got %s", field("dtcCodes"), TypeName(x))
		}
		if len(list) > maxDtcCodes {
			return r, rangeErr("%s may hold at most %d codes, got %d", field("dtcCodes"), maxDtcCodes, len(list))
		}
		for i, c := range list {
			s, err := String(c, fmt.Sprintf("%s[%d]", field("dtcCodes"), i), 1, 16)
			if err != nil {
				return r, err
			}
			r.DtcCodes = append(r.DtcCodes, s)
		}
	}
	if x, ok := present(m, "driverCardId"); ok {
		s, err := String(x, field("driverCardId"), 0, maxStringBytes)
		if err != nil {
			return r, err
		}
		r.DriverCardID = &s
	}
	return r, nil
}

// BatchFromJS validates a batch: an array of 1 to maxRecords records (maxRecords <= MaxRecords).
func BatchFromJS(v any, name string, maxRecords int) ([]Record, error) {
	if maxRecords <= 0 || maxRecords > MaxRecords {
		maxRecords = MaxRecords
	}
	list, ok := v.([]any)
	if !ok {
		return nil, argErr("%s must be an array of records, got %s", name, TypeName(v))
	}
	if len(list) == 0 {
		return nil, rangeErr("%s must hold at least one record", name)
	}
	if len(list) > maxRecords {
		return nil, rangeErr("%s holds %d records, more than the limit of %d", name, len(list), maxRecords)
	}
	out := make([]Record, len(list))
	for i, item := range list {
		r, err := RecordFromJS(item, fmt.Sprintf("%s[%d]", name, i))
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// CountRecords is the number of records in an encoded TelemetryBatch (its top-level field 1),
// counted without decoding them; 0 for bytes that are not a well-formed message.
func CountRecords(b []byte) int {
	n := 0
	for len(b) > 0 {
		num, typ, tagLen := protowire.ConsumeTag(b)
		if tagLen < 0 {
			return 0
		}
		valLen := protowire.ConsumeFieldValue(num, typ, b[tagLen:])
		if valLen < 0 {
			return 0
		}
		if num == fieldBatchRecords && typ == protowire.BytesType {
			n++
		}
		b = b[tagLen+valLen:]
	}
	return n
}
