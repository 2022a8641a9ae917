// Package fleetmqtt is the k6 JavaScript module `k6/x/fleetmqtt`: fleet devices over MQTT 3.1.1
// for k6 scripts. A device connects with its credentials (username = device id, password =
// token), publishes fleet.v1.TelemetryBatch payloads with QoS 1 (bytes the script encoded, or
// records the module encodes with protowire) and reports PUBACK latency and counters as k6
// metrics. Published by cmd/k6, a k6 main with this module compiled in (npm run k6:build).
//
//	import fleetmqtt from 'k6/x/fleetmqtt';
//	const dev = fleetmqtt.device({ host, port, deviceId, token });
//	if (dev.connect()) dev.publish([{ seq: 1, tsMs: Date.now(), lat: 60.17, lon: 24.94 }]);
//
// Bad arguments (wrong types, NaN, out-of-range coordinates, oversized batches) throw a JS
// TypeError or RangeError; network failures (refused CONNECT, lost connection, PUBACK timeout)
// do not throw: connect() returns false, publish() returns -1, and `lastError` says why.
package fleetmqtt

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/js/modules"
	"go.k6.io/k6/metrics"

	"github.com/fleet-platform/xk6-fleet-mqtt/device"
	"github.com/fleet-platform/xk6-fleet-mqtt/wire"
)

// ImportPath is the module's name in scripts.
const ImportPath = "k6/x/fleetmqtt"

func init() {
	modules.Register(ImportPath, new(RootModule))
}

// RootModule is created once per k6 process.
type RootModule struct{}

// deviceMetrics are the module's custom metrics, registered once per test run.
type deviceMetrics struct {
	connectMs       *metrics.Metric
	connects        *metrics.Metric
	connectFailures *metrics.Metric
	publishes       *metrics.Metric
	pubacks         *metrics.Metric
	recordsAcked    *metrics.Metric
	publishErrors   *metrics.Metric
	pubackMs        *metrics.Metric
}

func registerMetrics(vu modules.VU) (*deviceMetrics, error) {
	env := vu.InitEnv()
	if env == nil {
		return nil, errors.New("k6/x/fleetmqtt must be imported in the init context")
	}
	r := env.Registry
	m := &deviceMetrics{}
	var err error
	for _, d := range []struct {
		dst  **metrics.Metric
		name string
		typ  metrics.MetricType
		vt   metrics.ValueType
	}{
		{&m.connectMs, "mqtt_connect_ms", metrics.Trend, metrics.Time},
		{&m.connects, "mqtt_connects", metrics.Counter, metrics.Default},
		{&m.connectFailures, "mqtt_connect_failures", metrics.Counter, metrics.Default},
		{&m.publishes, "mqtt_publishes", metrics.Counter, metrics.Default},
		{&m.pubacks, "mqtt_pubacks", metrics.Counter, metrics.Default},
		{&m.recordsAcked, "mqtt_records_acked", metrics.Counter, metrics.Default},
		{&m.publishErrors, "mqtt_publish_errors", metrics.Counter, metrics.Default},
		{&m.pubackMs, "mqtt_puback_ms", metrics.Trend, metrics.Time},
	} {
		if *d.dst, err = r.NewMetric(d.name, d.typ, d.vt); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// NewModuleInstance is called once per VU.
func (*RootModule) NewModuleInstance(vu modules.VU) modules.Instance {
	m, err := registerMetrics(vu)
	if err != nil {
		common.Throw(vu.Runtime(), err)
	}
	return &Instance{vu: vu, metrics: m}
}

// Instance is the module as one VU sees it.
type Instance struct {
	vu      modules.VU
	metrics *deviceMetrics
}

// Exports are the module's functions.
func (mi *Instance) Exports() modules.Exports {
	named := map[string]any{
		"device":         mi.newDevice,
		"encode":         mi.encode,
		"telemetryTopic": mi.telemetryTopic,
		"maxRecords":     wire.MaxRecords,
	}
	return modules.Exports{Default: named, Named: named}
}

// throw throws a script's mistake as a JS RangeError (a value out of range) or TypeError
// (anything else wrong with an argument), and any other error as a k6 GoError.
func (mi *Instance) throw(err error) {
	rt := mi.vu.Runtime()
	switch {
	case wire.IsRangeError(err):
		ctor, _ := sobek.AssertConstructor(rt.Get("RangeError"))
		if ctor != nil {
			if e, cerr := ctor(nil, rt.ToValue(err.Error())); cerr == nil {
				panic(e)
			}
		}
		panic(rt.NewTypeError(err.Error()))
	case wire.IsArgError(err):
		panic(rt.NewTypeError(err.Error()))
	default:
		common.Throw(rt, err)
	}
}

func (mi *Instance) telemetryTopic(id sobek.Value) string {
	o, err := device.OptionsFromJS(map[string]any{"deviceId": exportArg(id), "token": "x"})
	if err != nil {
		mi.throw(err)
	}
	return device.TelemetryTopic(o.DeviceID)
}

func exportArg(v sobek.Value) any {
	if v == nil || sobek.IsUndefined(v) || sobek.IsNull(v) {
		return nil
	}
	return v.Export()
}

// payloadOf is the bytes to publish: an ArrayBuffer or Uint8Array as they are, or an array of
// records encoded here. It also returns the number of records in it.
func (mi *Instance) payloadOf(v sobek.Value, name string) ([]byte, int) {
	switch x := exportArg(v).(type) {
	case sobek.ArrayBuffer:
		b := x.Bytes()
		return b, wire.CountRecords(b)
	case []byte:
		return x, wire.CountRecords(x)
	case []any:
		records, err := wire.BatchFromJS(x, name, wire.MaxRecords)
		if err != nil {
			mi.throw(err)
		}
		return wire.EncodeBatch(records), len(records)
	default:
		mi.throw(wire.Errorf("%s must be an ArrayBuffer, a Uint8Array or an array of records, got %s", name, wire.TypeName(x)))
		return nil, 0
	}
}

// encode(records) -> ArrayBuffer: a TelemetryBatch the script can keep and publish later.
func (mi *Instance) encode(v sobek.Value) sobek.ArrayBuffer {
	records, err := wire.BatchFromJS(exportArg(v), "records", wire.MaxRecords)
	if err != nil {
		mi.throw(err)
	}
	return mi.vu.Runtime().NewArrayBuffer(wire.EncodeBatch(records))
}

// ---------------------------------------------------------------------------------------------
// One device

type jsDevice struct {
	mi   *Instance
	opts device.Options
	obj  *sobek.Object

	mu        sync.Mutex
	dev       *device.Device
	lastError string
}

// device(options) -> a device object (no network yet; connect() opens the session).
func (mi *Instance) newDevice(v sobek.Value) *sobek.Object {
	o, err := device.OptionsFromJS(exportArg(v))
	if err != nil {
		mi.throw(err)
	}
	d := &jsDevice{mi: mi, opts: o}
	rt := mi.vu.Runtime()
	obj := rt.NewObject()
	set := func(name string, fn any) {
		if err := obj.Set(name, fn); err != nil {
			common.Throw(rt, err)
		}
	}
	getter := func(name string, fn func() any) {
		if err := obj.DefineAccessorProperty(name, rt.ToValue(func() sobek.Value { return rt.ToValue(fn()) }), nil, sobek.FLAG_FALSE, sobek.FLAG_TRUE); err != nil {
			common.Throw(rt, err)
		}
	}
	set("connect", d.connect)
	set("publish", d.publish)
	set("publishAsync", d.publishAsync)
	set("flush", d.flush)
	set("close", d.close)
	getter("deviceId", func() any { return o.DeviceID })
	getter("topic", func() any { return device.TelemetryTopic(o.DeviceID) })
	getter("connected", func() any { return d.current() != nil && d.current().Connected() })
	getter("inflight", func() any {
		if dev := d.current(); dev != nil {
			return dev.Inflight()
		}
		return 0
	})
	getter("lastError", func() any {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.lastError
	})
	d.obj = obj
	return obj
}

func (d *jsDevice) current() *device.Device {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dev
}

func (d *jsDevice) setError(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err == nil {
		d.lastError = ""
	} else {
		d.lastError = err.Error()
	}
}

// sink is where a VU's samples go, with the VU's current tags; taken on the VU's goroutine so a
// completion on another goroutine never touches the VU's state.
type sink struct {
	ctx     context.Context
	samples chan<- metrics.SampleContainer
	tags    metrics.TagsAndMeta
}

func (d *jsDevice) sink(what string) sink {
	state := d.mi.vu.State()
	if state == nil {
		d.mi.throw(wire.Errorf("%s is not possible in the init context; call it from a VU function or setup()", what))
	}
	return sink{ctx: d.mi.vu.Context(), samples: state.Samples, tags: state.Tags.GetCurrentValues()}
}

type point struct {
	m     *metrics.Metric
	value float64
	tags  map[string]string
}

func (s sink) push(points ...point) {
	now := time.Now()
	out := make(metrics.Samples, 0, len(points))
	for _, p := range points {
		tags := s.tags.Tags
		for k, v := range p.tags {
			tags = tags.With(k, v)
		}
		out = append(out, metrics.Sample{
			TimeSeries: metrics.TimeSeries{Metric: p.m, Tags: tags},
			Time:       now,
			Value:      p.value,
			Metadata:   s.tags.Metadata,
		})
	}
	metrics.PushIfNotDone(s.ctx, s.samples, out)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// connect() -> boolean: opens the session (closing an earlier one) and waits for the CONNACK.
func (d *jsDevice) connect() bool {
	s := d.sink("connect()")
	m := d.mi.metrics
	if old := d.current(); old != nil {
		old.Close(0)
	}
	dev, elapsed, err := device.Connect(s.ctx, d.opts)
	if err != nil {
		d.setError(err)
		reason := "network"
		var ce *device.ConnectError
		if errors.As(err, &ce) {
			reason = ce.Tag()
		}
		s.push(point{m: m.connectFailures, value: 1, tags: map[string]string{"reason": reason}})
		return false
	}
	d.mu.Lock()
	d.dev = dev
	d.lastError = ""
	d.mu.Unlock()
	s.push(point{m: m.connectMs, value: ms(elapsed)}, point{m: m.connects, value: 1})
	return true
}

// done records a publish's outcome.
func (d *jsDevice) done(s sink, records int, latency time.Duration, err error) {
	m := d.mi.metrics
	if err != nil {
		d.setError(err)
		reason := "failed"
		switch {
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			reason = "cancelled"
		case errors.Is(err, device.ErrClosed):
			reason = "closed"
		}
		s.push(point{m: m.publishErrors, value: 1, tags: map[string]string{"reason": reason}})
		return
	}
	s.push(
		point{m: m.pubackMs, value: ms(latency)},
		point{m: m.pubacks, value: 1},
		point{m: m.recordsAcked, value: float64(records)},
	)
}

func (d *jsDevice) connected(s sink) *device.Device {
	dev := d.current()
	if dev == nil {
		err := errors.New("not connected: call connect() first")
		d.setError(err)
		s.push(point{m: d.mi.metrics.publishErrors, value: 1, tags: map[string]string{"reason": "not_connected"}})
		return nil
	}
	return dev
}

// publish(payload) -> PUBACK latency in ms, or -1 when the publish failed (see lastError).
func (d *jsDevice) publish(v sobek.Value) float64 {
	s := d.sink("publish()")
	payload, records := d.mi.payloadOf(v, "payload")
	dev := d.connected(s)
	if dev == nil {
		return -1
	}
	if err := dev.CheckPayload(payload); err != nil {
		d.mi.throw(err)
	}
	s.push(point{m: d.mi.metrics.publishes, value: 1})
	latency, err := dev.Publish(s.ctx, payload)
	d.done(s, records, latency, err)
	if err != nil {
		return -1
	}
	return ms(latency)
}

// publishAsync(payload) -> true once sent (waiting only while maxInflight messages are
// unacknowledged), false when it could not be sent. The PUBACK is recorded on the VU's event
// loop when it arrives: each publish registers a callback (vu.RegisterCallback), so the
// iteration does not end before every PUBACK of it arrived, failed or timed out, and its
// samples carry the iteration's tags and context.
func (d *jsDevice) publishAsync(v sobek.Value) bool {
	s := d.sink("publishAsync()")
	payload, records := d.mi.payloadOf(v, "payload")
	dev := d.connected(s)
	if dev == nil {
		return false
	}
	if err := dev.CheckPayload(payload); err != nil {
		d.mi.throw(err)
	}
	enqueue := d.mi.vu.RegisterCallback()
	err := dev.PublishAsync(s.ctx, payload, func(latency time.Duration, err error) {
		enqueue(func() error {
			d.done(s, records, latency, err)
			return nil
		})
	})
	if err != nil {
		enqueue(func() error { return nil })
		d.done(s, records, 0, err)
		return false
	}
	s.push(point{m: d.mi.metrics.publishes, value: 1})
	return true
}

// flush(timeoutMs = 30000) -> how many publishes are still unacknowledged after waiting.
func (d *jsDevice) flush(v sobek.Value) int {
	timeout := 30 * time.Second
	if x := exportArg(v); x != nil {
		n, err := wire.Integer(x, "timeoutMs", 0, 600_000)
		if err != nil {
			d.mi.throw(err)
		}
		timeout = time.Duration(n) * time.Millisecond
	}
	dev := d.current()
	if dev == nil {
		return 0
	}
	return dev.Flush(timeout)
}

// close(timeoutMs = 5000): waits for outstanding publishes, then DISCONNECT.
func (d *jsDevice) close(v sobek.Value) {
	timeout := 5 * time.Second
	if x := exportArg(v); x != nil {
		n, err := wire.Integer(x, "timeoutMs", 0, 600_000)
		if err != nil {
			d.mi.throw(err)
		}
		timeout = time.Duration(n) * time.Millisecond
	}
	d.mu.Lock()
	dev := d.dev
	d.dev = nil
	d.mu.Unlock()
	if dev != nil {
		dev.Close(timeout)
	}
}
