// Command k6 is k6 v1.8.1 with the fleet's MQTT module (k6/x/fleetmqtt) compiled in: the same
// main as go.k6.io/k6's own, plus the module's import, which registers it (what xk6 generates).
// Built by npm run k6:build (scripts/build-k6.sh) into vendor/k6/k6.
package main

import (
	"go.k6.io/k6/cmd"

	_ "github.com/fleet-platform/xk6-fleet-mqtt"
)

func main() {
	cmd.Execute()
}
