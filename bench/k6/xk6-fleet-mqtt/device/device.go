// Package device is one fleet device's MQTT 3.1.1 session on top of Eclipse Paho: connect with
// the device's credentials, publish fleet.v1.TelemetryBatch payloads with QoS 1 and time each
// PUBACK (which the platform sends once the records are stored). Publishes go through a window
// of at most MaxInflight unacknowledged messages: Publish waits for its own PUBACK, PublishAsync
// waits only for a free slot. It imports no k6 package, so `go test ./device` builds in seconds.
package device

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/fleet-platform/xk6-fleet-mqtt/wire"
)

// Options of one device session. OptionsFromJS fills the defaults.
type Options struct {
	Host           string
	Port           int
	DeviceID       string // the MQTT username
	Token          string // the MQTT password
	ClientID       string // defaults to DeviceID
	KeepAliveS     int
	CleanSession   bool
	ConnectTimeout time.Duration
	PubackTimeout  time.Duration
	MaxInflight    int
	// MaxPacketBytes is the broker's packet size limit (the platform's MQTT_MAX_PACKET_BYTES);
	// a bigger publish is refused here instead of costing the connection.
	MaxPacketBytes int
}

// Defaults of OptionsFromJS.
const (
	DefaultPort           = 1883
	DefaultKeepAliveS     = 60
	DefaultConnectTimeout = 10 * time.Second
	DefaultPubackTimeout  = 30 * time.Second
	DefaultMaxInflight    = 1
	DefaultMaxPacketBytes = 256 * 1024
	// MaxInflightLimit bounds the window: MQTT packet ids are 16 bits, and a bench needs no more.
	MaxInflightLimit = 1000
	maxPacketLimit   = 268_435_455 // MQTT's own limit on a packet's remaining length
)

var optionFields = map[string]bool{
	"host": true, "port": true, "deviceId": true, "token": true, "clientId": true,
	"keepAliveS": true, "cleanSession": true, "connectTimeoutMs": true, "pubackTimeoutMs": true,
	"maxInflight": true, "maxPacketBytes": true,
}

// forbiddenInID: the device id is a topic level and the client id; MQTT wildcards, separators,
// whitespace and NUL would break both.
const forbiddenInID = "/+#\x00 \t\r\n"

// OptionsFromJS validates a script's connect options, given as a JavaScript object:
// { host, port, deviceId, token, clientId, keepAliveS, cleanSession, connectTimeoutMs,
// pubackTimeoutMs, maxInflight, maxPacketBytes }. deviceId and token are required.
func OptionsFromJS(v any) (Options, error) {
	o := Options{
		Host: "127.0.0.1", Port: DefaultPort, KeepAliveS: DefaultKeepAliveS, CleanSession: true,
		ConnectTimeout: DefaultConnectTimeout, PubackTimeout: DefaultPubackTimeout,
		MaxInflight: DefaultMaxInflight, MaxPacketBytes: DefaultMaxPacketBytes,
	}
	m, err := wire.Object(v, "connect options", optionFields)
	if err != nil {
		return o, err
	}
	get := func(k string) (any, bool) {
		x, ok := m[k]
		return x, ok && x != nil
	}
	if x, ok := get("host"); ok {
		if o.Host, err = wire.String(x, "host", 1, 253); err != nil {
			return o, err
		}
	}
	intField := func(k string, min, max int64, dst *int) error {
		x, ok := get(k)
		if !ok {
			return nil
		}
		n, err := wire.Integer(x, k, min, max)
		if err != nil {
			return err
		}
		*dst = int(n)
		return nil
	}
	msField := func(k string, min, max int64, dst *time.Duration) error {
		x, ok := get(k)
		if !ok {
			return nil
		}
		n, err := wire.Integer(x, k, min, max)
		if err != nil {
			return err
		}
		*dst = time.Duration(n) * time.Millisecond
		return nil
	}
	steps := []error{
		intField("port", 1, 65535, &o.Port),
		intField("keepAliveS", 1, 65535, &o.KeepAliveS),
		msField("connectTimeoutMs", 1, 600_000, &o.ConnectTimeout),
		msField("pubackTimeoutMs", 1, 600_000, &o.PubackTimeout),
		intField("maxInflight", 1, MaxInflightLimit, &o.MaxInflight),
		intField("maxPacketBytes", 64, maxPacketLimit, &o.MaxPacketBytes),
	}
	for _, e := range steps {
		if e != nil {
			return o, e
		}
	}
	id := func(k string, required bool) (string, error) {
		x, ok := get(k)
		if !ok {
			if required {
				return "", wire.Errorf("%s is required", k)
			}
			return "", nil
		}
		s, err := wire.String(x, k, 1, 128)
		if err != nil {
			return "", err
		}
		if strings.ContainsAny(s, forbiddenInID) {
			return "", wire.Errorf("%s must not contain '/', '+', '#', whitespace or NUL: %q", k, s)
		}
		return s, nil
	}
	if o.DeviceID, err = id("deviceId", true); err != nil {
		return o, err
	}
	if o.ClientID, err = id("clientId", false); err != nil {
		return o, err
	}
	if o.ClientID == "" {
		o.ClientID = o.DeviceID
	}
	x, ok := get("token")
	if !ok {
		return o, wire.Errorf("token is required (the device token issued at provisioning)")
	}
	if o.Token, err = wire.String(x, "token", 1, 512); err != nil {
		return o, err
	}
	if x, ok := get("cleanSession"); ok {
		if o.CleanSession, err = wire.Bool(x, "cleanSession"); err != nil {
			return o, err
		}
	}
	return o, nil
}

// IsArgError reports whether err is a script's mistake (a bad argument), not a failure.
func IsArgError(err error) bool { return wire.IsArgError(err) }

// TelemetryTopic is where a device publishes its TelemetryBatch payloads.
func TelemetryTopic(deviceID string) string { return "devices/" + deviceID + "/telemetry" }

// ConnectError is a refused or failed connection. Code is the CONNACK return code (4: bad user
// name or password, 5: not authorised, 3: server unavailable) or 0 when none arrived.
type ConnectError struct {
	Code   byte
	Reason string // "refused", "timeout" or "network"
	Err    error
}

func (e *ConnectError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("connect refused with CONNACK code %d (%s)", e.Code, packets.ConnackReturnCodes[e.Code])
	}
	return fmt.Sprintf("connect failed (%s): %v", e.Reason, e.Err)
}

// Tag is the value of the `reason` tag of the connect-failure metric.
func (e *ConnectError) Tag() string {
	if e.Code != 0 {
		return "connack_" + strconv.Itoa(int(e.Code))
	}
	return e.Reason
}

// ErrClosed is returned by publishes on a closed device.
var ErrClosed = errors.New("the device is closed")

// Device is one connected session.
type Device struct {
	opts   Options
	client paho.Client
	topic  string
	window chan struct{} // one token per unacknowledged message
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	lost   error // why the connection was lost, once it was
}

// Connect opens the session and waits for the CONNACK (or ctx, or the connect timeout).
func Connect(ctx context.Context, o Options) (*Device, time.Duration, error) {
	d := &Device{opts: o, topic: TelemetryTopic(o.DeviceID), window: make(chan struct{}, o.MaxInflight)}
	po := paho.NewClientOptions().
		AddBroker("tcp://" + net.JoinHostPort(o.Host, strconv.Itoa(o.Port))).
		SetClientID(o.ClientID).
		SetUsername(o.DeviceID).
		SetPassword(o.Token).
		SetProtocolVersion(4).
		SetKeepAlive(time.Duration(o.KeepAliveS) * time.Second).
		SetPingTimeout(10 * time.Second).
		SetCleanSession(o.CleanSession).
		SetConnectTimeout(o.ConnectTimeout).
		SetWriteTimeout(o.PubackTimeout).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetOrderMatters(false).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			d.mu.Lock()
			d.lost = err
			d.mu.Unlock()
		})
	d.client = paho.NewClient(po)
	started := time.Now()
	tok := d.client.Connect()
	timer := time.NewTimer(o.ConnectTimeout + time.Second)
	defer timer.Stop()
	select {
	case <-tok.Done():
	case <-ctx.Done():
		d.client.Disconnect(0)
		return nil, 0, &ConnectError{Reason: "cancelled", Err: ctx.Err()}
	case <-timer.C:
		d.client.Disconnect(0)
		return nil, 0, &ConnectError{Reason: "timeout", Err: fmt.Errorf("no CONNACK within %v", o.ConnectTimeout)}
	}
	elapsed := time.Since(started)
	if err := tok.Error(); err != nil {
		code := byte(0)
		// 1-5 are CONNACK return codes; paho reports its own failures as codes above them
		// (254: network error), which are no answer from the broker.
		if ct, ok := tok.(*paho.ConnectToken); ok && ct.ReturnCode() >= 1 && ct.ReturnCode() <= 5 {
			code = ct.ReturnCode()
		}
		reason := "network"
		if code == 0 && strings.Contains(err.Error(), "timeout") {
			reason = "timeout"
		}
		return nil, elapsed, &ConnectError{Code: code, Reason: reason, Err: err}
	}
	return d, elapsed, nil
}

// Connected reports whether the session is still up.
func (d *Device) Connected() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return !d.closed && d.lost == nil && d.client.IsConnectionOpen()
}

// Topic is the device's telemetry topic.
func (d *Device) Topic() string { return d.topic }

// Inflight is the number of messages published and not yet acknowledged.
func (d *Device) Inflight() int { return len(d.window) }

// CheckPayload refuses a payload the broker would cut the connection for.
func (d *Device) CheckPayload(payload []byte) error {
	if len(payload) == 0 {
		return wire.RangeErrorf("the payload is empty")
	}
	// PUBLISH QoS 1: topic length (2) + topic + packet id (2) after a fixed header of up to 5.
	size := 2 + len(d.topic) + 2 + len(payload)
	if size > d.opts.MaxPacketBytes {
		return wire.RangeErrorf("the payload of %d bytes makes a %d-byte packet, over maxPacketBytes (%d)", len(payload), size, d.opts.MaxPacketBytes)
	}
	return nil
}

// acquire takes a slot of the window, waiting while it is full.
func (d *Device) acquire(ctx context.Context) error {
	d.mu.Lock()
	closed, lost := d.closed, d.lost
	d.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if lost != nil {
		return fmt.Errorf("connection lost: %w", lost)
	}
	select {
	case d.window <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// send publishes with QoS 1 and waits for the PUBACK, the timeout or ctx; the slot is released.
func (d *Device) send(ctx context.Context, payload []byte) (time.Duration, error) {
	defer func() { <-d.window }()
	started := time.Now()
	tok := d.client.Publish(d.topic, 1, false, payload)
	timer := time.NewTimer(d.opts.PubackTimeout)
	defer timer.Stop()
	select {
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			return 0, err
		}
		return time.Since(started), nil
	case <-timer.C:
		return 0, fmt.Errorf("no PUBACK within %v", d.opts.PubackTimeout)
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Publish sends one payload and waits for its PUBACK; the latency is publish to PUBACK.
func (d *Device) Publish(ctx context.Context, payload []byte) (time.Duration, error) {
	if err := d.CheckPayload(payload); err != nil {
		return 0, err
	}
	if err := d.acquire(ctx); err != nil {
		return 0, err
	}
	return d.send(ctx, payload)
}

// PublishAsync sends one payload once the window has room and returns; done runs on another
// goroutine when the PUBACK arrives (or the publish fails). Flush waits for all of them.
func (d *Device) PublishAsync(ctx context.Context, payload []byte, done func(time.Duration, error)) error {
	if err := d.CheckPayload(payload); err != nil {
		return err
	}
	if err := d.acquire(ctx); err != nil {
		return err
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		latency, err := d.send(ctx, payload)
		done(latency, err)
	}()
	return nil
}

// Flush waits until every asynchronous publish has completed or timeout passed; it returns
// how many are still outstanding.
func (d *Device) Flush(timeout time.Duration) int {
	finished := make(chan struct{})
	go func() {
		d.wg.Wait()
		close(finished)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-finished:
		return 0
	case <-timer.C:
		return len(d.window)
	}
}

// Close waits up to quiesce for outstanding publishes, then sends DISCONNECT and closes.
func (d *Device) Close(quiesce time.Duration) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	d.mu.Unlock()
	d.Flush(quiesce)
	d.client.Disconnect(250)
}
