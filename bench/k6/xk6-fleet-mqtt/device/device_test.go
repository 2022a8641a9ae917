package device

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fleet-platform/xk6-fleet-mqtt/wire"
)

func TestOptionsFromJS(t *testing.T) {
	o, err := OptionsFromJS(map[string]any{"deviceId": "dev-1", "token": "secret", "port": int64(1884)})
	if err != nil {
		t.Fatal(err)
	}
	if o.ClientID != "dev-1" || o.Port != 1884 || o.Host != "127.0.0.1" || !o.CleanSession || o.MaxInflight != 1 {
		t.Fatalf("defaults: %+v", o)
	}
	bad := []struct {
		value any
		want  string
	}{
		{nil, "connect options must be an object"},
		{map[string]any{"token": "t"}, "deviceId is required"},
		{map[string]any{"deviceId": "d"}, "token is required"},
		{map[string]any{"deviceId": "a/b", "token": "t"}, "deviceId must not contain"},
		{map[string]any{"deviceId": "d", "token": "t", "port": int64(70000)}, "port must be from 1 to 65535"},
		{map[string]any{"deviceId": "d", "token": "t", "port": math.NaN()}, "port must be a finite number"},
		{map[string]any{"deviceId": "d", "token": "t", "port": "1883"}, "port must be a number, got a string"},
		{map[string]any{"deviceId": "d", "token": "t", "keepAliveS": int64(0)}, "keepAliveS must be from 1"},
		{map[string]any{"deviceId": "d", "token": "t", "maxInflight": int64(5000)}, "maxInflight must be from 1 to 1000"},
		{map[string]any{"deviceId": "d", "token": "t", "cleanSession": "yes"}, "cleanSession must be a boolean"},
		{map[string]any{"deviceId": "d", "token": int64(5)}, "token must be a string, got a number"},
		{map[string]any{"deviceId": "d", "token": "t", "passwd": "x"}, "unknown field(s) passwd"},
	}
	for _, b := range bad {
		_, err := OptionsFromJS(b.value)
		if err == nil || !IsArgError(err) || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%#v: got %v, want an argument error saying %q", b.value, err, b.want)
		}
	}
}

// The tests below need a broker: bench/test/k6-extension.test.ts starts aedes on a free port
// (device FLEET_MQTT_DEVICE with token FLEET_MQTT_TOKEN; PUBACKs held FLEET_MQTT_DELAY_MS) and
// decodes what reached it.
func brokerEnv(t *testing.T) (Options, time.Duration) {
	addr := os.Getenv("FLEET_MQTT_ADDR")
	if addr == "" {
		t.Skip("run by bench/test/k6-extension.test.ts, which starts the broker (FLEET_MQTT_ADDR)")
	}
	host, portText, _ := strings.Cut(addr, ":")
	port, err := strconv.Atoi(portText)
	if err != nil {
		t.Fatal(err)
	}
	delay, _ := strconv.Atoi(os.Getenv("FLEET_MQTT_DELAY_MS"))
	o, err := OptionsFromJS(map[string]any{
		"host": host, "port": int64(port), "deviceId": os.Getenv("FLEET_MQTT_DEVICE"),
		"token": os.Getenv("FLEET_MQTT_TOKEN"), "keepAliveS": int64(30), "connectTimeoutMs": int64(5000),
		"pubackTimeoutMs": int64(5000),
	})
	if err != nil {
		t.Fatal(err)
	}
	return o, time.Duration(delay) * time.Millisecond
}

func TestConnectRefusedWithWrongToken(t *testing.T) {
	o, _ := brokerEnv(t)
	o.Token = "wrong"
	o.ClientID = o.DeviceID + "-wrong"
	_, _, err := Connect(context.Background(), o)
	var ce *ConnectError
	if !errors.As(err, &ce) || (ce.Code != 4 && ce.Code != 5) {
		t.Fatalf("want a CONNACK 4 or 5 refusal, got %v", err)
	}
	if ce.Tag() != "connack_"+strconv.Itoa(int(ce.Code)) {
		t.Fatalf("tag %q", ce.Tag())
	}
}

func TestConnectFailsWithNoBroker(t *testing.T) {
	o, _ := brokerEnv(t)
	o.Port = 1 // nothing listens on port 1 of 127.0.0.1
	o.ConnectTimeout = 2 * time.Second
	_, _, err := Connect(context.Background(), o)
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Code != 0 {
		t.Fatalf("want a network failure, got %v", err)
	}
}

func TestPublishWaitsForPuback(t *testing.T) {
	o, delay := brokerEnv(t)
	d, connectTime, err := Connect(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(time.Second)
	if connectTime <= 0 || !d.Connected() {
		t.Fatalf("connected %v in %v", d.Connected(), connectTime)
	}
	records := fixtureRecords(t)
	latency, err := d.Publish(context.Background(), wire.EncodeBatch(records))
	if err != nil {
		t.Fatal(err)
	}
	// The broker holds the PUBACK for `delay`: a latency below it was not a PUBACK.
	if latency < delay {
		t.Fatalf("PUBACK after %v, but the broker holds it %v", latency, delay)
	}
	t.Logf("PUBACK latency %v (broker delay %v)", latency, delay)

	big := make([]byte, o.MaxPacketBytes)
	if _, err := d.Publish(context.Background(), big); err == nil || !wire.IsRangeError(err) {
		t.Fatalf("an oversized payload: %v", err)
	}
	if _, err := d.Publish(context.Background(), nil); err == nil || !wire.IsRangeError(err) {
		t.Fatalf("an empty payload: %v", err)
	}
}

func TestPublishAsyncKeepsTheWindow(t *testing.T) {
	o, delay := brokerEnv(t)
	o.MaxInflight = 4
	o.ClientID = o.DeviceID + "-async"
	d, _, err := Connect(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(time.Second)
	const n = 20
	var acked atomic.Int32
	var mu sync.Mutex
	var errs []error
	maxInflight := 0
	started := time.Now()
	for i := 0; i < n; i++ {
		r := wire.Record{Seq: uint64(1000 + i), TsMs: time.Now().UnixMilli(), Lat: 60.1, Lon: 24.9}
		err := d.PublishAsync(context.Background(), wire.EncodeBatch([]wire.Record{r}), func(lat time.Duration, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			acked.Add(1)
		})
		if err != nil {
			t.Fatal(err)
		}
		if in := d.Inflight(); in > maxInflight {
			maxInflight = in
		}
	}
	if left := d.Flush(10 * time.Second); left != 0 {
		t.Fatalf("%d still unacknowledged", left)
	}
	elapsed := time.Since(started)
	if acked.Load() != n || len(errs) > 0 {
		t.Fatalf("acked %d of %d, errors %v", acked.Load(), n, errs)
	}
	if maxInflight > 4 || maxInflight < 2 {
		t.Fatalf("in flight at most %d, want 2..4", maxInflight)
	}
	// Pipelined: 20 messages in windows of 4 take about 5 delays, not 20.
	if delay > 0 && elapsed > time.Duration(n)*delay {
		t.Fatalf("20 pipelined publishes took %v, as long as sequential ones (%v each)", elapsed, delay)
	}
	t.Logf("20 publishes, window 4, in %v (broker delay %v)", elapsed, delay)
	d.Close(time.Second)
	if _, err := d.Publish(context.Background(), []byte{0x0a, 0x00}); !errors.Is(err, ErrClosed) {
		t.Fatalf("publish after close: %v", err)
	}
}

func fixtureRecords(t *testing.T) []wire.Record {
	path := os.Getenv("FLEET_WIRE_RECORDS")
	if path == "" {
		t.Fatal("FLEET_WIRE_RECORDS is not set")
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(text, &v); err != nil {
		t.Fatal(err)
	}
	records, err := wire.BatchFromJS(v, "records", wire.MaxRecords)
	if err != nil {
		t.Fatal(err)
	}
	return records
}
