// Imported first by the gateway's entry points: @apollo/gateway reports usage to Apollo and
// probes cloud metadata addresses unless this is set, and no traffic may leave the machine.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
